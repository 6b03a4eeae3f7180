#pragma once
// The small MLPs of make_mlp without LibTorch's per-op cost on CPU. At the
// batch sizes of acting (tens of rows) and of the update (a few thousand),
// LibTorch spends as long dispatching ops and recording the autograd graph as
// multiplying (docs/performance.md). Here a whole forward pass is one BLAS
// sgemm per layer with bias and activation fused into one pass over its
// output, and training records one autograd node for the whole network whose
// backward is written out (tested against LibTorch's autograd).
#include <torch/torch.h>

namespace fpo {

// net(x) for a make_mlp network (Linear, then [activation, Linear]...): the
// fused path for float32 CPU tensors (x [N, in], any N >= 0), LibTorch's own
// modules otherwise (CUDA, other dtypes, other layer types). Differentiable in
// x and in the parameters (first derivatives only).
torch::Tensor mlp_forward(const torch::nn::Sequential& net, const torch::Tensor& x);

// The same network on raw rows, no autograd: x [n, in] -> y [n, out], both
// row-major float32 in host memory. For inner loops (flow sampling) where
// even one tensor per call would cost more than the arithmetic. Throws
// fpo::Error if the net is not a CPU float32 make_mlp network.
void mlp_forward_rows(const torch::nn::Sequential& net, const float* x, int64_t n, float* y);

// Whether the fused path applies to this network (CPU, float32, make_mlp layout).
bool mlp_is_fusable(const torch::nn::Sequential& net);

}  // namespace fpo
