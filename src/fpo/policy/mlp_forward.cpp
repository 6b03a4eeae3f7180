#include "fpo/policy/mlp_forward.h"

#include <algorithm>
#include <cmath>

#include "fpo/common/error.h"

#ifdef FPO_HAVE_CBLAS
#include <cblas.h>
#endif

namespace fpo {

namespace {
enum class Activation { kNone, kSilu, kTanh, kRelu, kElu };

Activation activation_of(const std::shared_ptr<torch::nn::Module>& m) {
  if (m->as<torch::nn::SiLU>()) return Activation::kSilu;
  if (m->as<torch::nn::Tanh>()) return Activation::kTanh;
  if (m->as<torch::nn::ReLU>()) return Activation::kRelu;
  if (auto* elu = m->as<torch::nn::ELU>()) {
    // make_mlp's ELU has alpha 1; other alphas are not handled here.
    if (elu->options.alpha() != 1.0 || elu->options.inplace()) return Activation::kNone;
    return Activation::kElu;
  }
  return Activation::kNone;
}

bool usable(const torch::Tensor& p) {
  return p.device().is_cpu() && p.scalar_type() == torch::kFloat32 && p.is_contiguous();
}

// Up to this many values a scalar loop (glibc's expf, ~3.7 ns per value)
// beats an op's fixed cost (~1.5 us); past it LibTorch's vectorised kernels
// win (measured on the 2-core machine, docs/performance.md).
constexpr int64_t kLoopMax = 512;

void activate(Activation a, float* x, int64_t n) {
  if (n > kLoopMax && a != Activation::kRelu) {
    auto t = torch::from_blob(x, {n}, torch::kFloat32);
    if (a == Activation::kSilu) torch::silu_(t);
    else if (a == Activation::kTanh) torch::tanh_(t);
    else if (a == Activation::kElu) torch::elu_(t);
    return;
  }
  switch (a) {
    case Activation::kSilu:
      for (int64_t i = 0; i < n; ++i) x[i] = x[i] / (1.0f + std::exp(-x[i]));
      break;
    case Activation::kTanh:
      for (int64_t i = 0; i < n; ++i) x[i] = std::tanh(x[i]);
      break;
    case Activation::kRelu:
      for (int64_t i = 0; i < n; ++i) x[i] = std::max(x[i], 0.0f);
      break;
    case Activation::kElu:
      for (int64_t i = 0; i < n; ++i) x[i] = x[i] > 0 ? x[i] : std::expm1(x[i]);
      break;
    case Activation::kNone: break;
  }
}
}  // namespace

bool direct_forward_applies(torch::nn::Sequential& net, const torch::Tensor& input, int64_t input_width) {
#ifndef FPO_HAVE_CBLAS
  return false;
#else
  if (torch::GradMode::is_enabled() || !input.defined() || input.dim() < 1 || !input.device().is_cpu() ||
      input.scalar_type() != torch::kFloat32) {
    return false;
  }
  if (input_width < 0) input_width = input.size(-1);
  // Linear, activation, Linear, ..., Linear: what make_mlp builds. A wrong
  // input width is left to LibTorch's forward, which names it.
  bool expect_linear = true, first = true;
  for (const auto& child : net->children()) {
    if (auto* linear = child->as<torch::nn::Linear>()) {
      if (first && linear->weight.size(1) != input_width) return false;
      first = false;
      if (!expect_linear || !usable(linear->weight) || (linear->bias.defined() && !usable(linear->bias))) return false;
      expect_linear = false;
    } else {
      if (expect_linear || activation_of(child) == Activation::kNone) return false;
      expect_linear = true;
    }
  }
  return !expect_linear;
#endif
}

void direct_forward(torch::nn::Sequential& net, const float* input, int64_t rows, float* out, MlpScratch& scratch) {
#ifndef FPO_HAVE_CBLAS
  throw Error("direct_forward: this build has no BLAS (FPO_HAVE_CBLAS)");
#else
  const auto children = net->children();
  // The last Linear writes `out`; the others alternate between the scratch buffers.
  size_t last_linear = 0;
  for (size_t i = 0; i < children.size(); ++i) {
    if (children[i]->as<torch::nn::Linear>()) last_linear = i;
  }
  const float* x = input;
  int64_t width = -1;
  bool into_a = true;
  float* y = nullptr;
  for (size_t i = 0; i < children.size(); ++i) {
    if (auto* linear = children[i]->as<torch::nn::Linear>()) {
      const int64_t in = linear->weight.size(1), out_w = linear->weight.size(0);
      if (width >= 0 && width != in) throw Error("direct_forward: layer widths do not chain");
      if (i == last_linear) {
        y = out;
      } else {
        auto& buf = into_a ? scratch.a : scratch.b;
        if (buf.size() < static_cast<size_t>(rows * out_w)) buf.resize(static_cast<size_t>(rows * out_w));
        y = buf.data();
        into_a = !into_a;
      }
      // y = bias (broadcast over rows), then y += x W^T.
      float beta = 0.0f;
      if (linear->bias.defined()) {
        const float* b = linear->bias.data_ptr<float>();
        for (int64_t r = 0; r < rows; ++r) std::copy(b, b + out_w, y + r * out_w);
        beta = 1.0f;
      }
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(rows), static_cast<int>(out_w),
                  static_cast<int>(in), 1.0f, x, static_cast<int>(in), linear->weight.data_ptr<float>(),
                  static_cast<int>(in), beta, y, static_cast<int>(out_w));
      x = y;
      width = out_w;
    } else {
      activate(activation_of(children[i]), y, rows * width);
    }
  }
#endif
}

torch::Tensor mlp_forward(torch::nn::Sequential& net, const torch::Tensor& input) {
  if (!direct_forward_applies(net, input)) return net->forward(input);
  const auto in = input.contiguous();
  const int64_t width = in.size(-1), rows = width == 0 ? 0 : in.numel() / width;
  int64_t out_width = 0;
  for (const auto& child : net->children()) {
    if (auto* linear = child->as<torch::nn::Linear>()) out_width = linear->weight.size(0);
  }
  auto sizes = in.sizes().vec();
  sizes.back() = out_width;
  auto out = torch::empty(sizes, in.options());
  thread_local MlpScratch scratch;
  if (rows > 0) direct_forward(net, in.data_ptr<float>(), rows, out.data_ptr<float>(), scratch);
  return out;
}

}  // namespace fpo
