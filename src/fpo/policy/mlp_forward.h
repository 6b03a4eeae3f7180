#pragma once
// A forward pass of make_mlp's networks without autograd or LibTorch's
// dispatcher: each Linear layer is one BLAS sgemm on the layer's own weights,
// each activation a loop. Acting calls these networks on batches of 32-256
// rows many times per env step, where LibTorch's per-op cost (several us per
// op) outweighs the arithmetic (docs/performance.md). Training keeps autograd.
#include <torch/torch.h>

#include <vector>

namespace fpo {

// Reusable buffers for the hidden layers (not thread-safe: one per caller).
struct MlpScratch {
  std::vector<float> a, b;
};

// A defined float32 tensor on the CPU (what the direct paths read).
inline bool cpu_float32(const torch::Tensor& t) {
  return t.defined() && t.device().is_cpu() && t.scalar_type() == torch::kFloat32;
}

// True when `net` applied to `input` may take the direct path: grad mode off,
// float32 CPU input and parameters, a build with BLAS (FPO_HAVE_CBLAS).
// `input_width` is the width of the rows the net will see (-1: input's last
// dim), for callers that assemble the rows themselves.
bool direct_forward_applies(torch::nn::Sequential& net, const torch::Tensor& input, int64_t input_width = -1);

// net(input) for `rows` contiguous rows of the net's input width, into `out`
// (rows x output width). The caller has checked direct_forward_applies.
void direct_forward(torch::nn::Sequential& net, const float* input, int64_t rows, float* out, MlpScratch& scratch);

// net->forward(input) over the last dim, through direct_forward where it applies.
torch::Tensor mlp_forward(torch::nn::Sequential& net, const torch::Tensor& input);

}  // namespace fpo
