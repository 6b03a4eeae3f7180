#include "fpo/policy/fused_mlp.h"

#include <algorithm>
#include <cmath>
#include <vector>

#ifdef FPO_HAVE_CBLAS
#include <cblas.h>
#endif

#include <torch/csrc/autograd/functions/utils.h>

#include "fpo/common/error.h"
#include "fpo/policy/mlp_kernels.h"

namespace fpo {

namespace {

using Act = kernels::Activation;

struct Layer {
  torch::Tensor weight, bias;  // [out, in], [out]
  Act act = Act::kNone;        // applied after this layer (none after the last)
};

// The layers of a make_mlp network, or nothing if the fused path does not apply.
std::vector<Layer> fusable_layers(const torch::nn::Sequential& net) {
  std::vector<Layer> layers;
  for (const auto& child : net->children()) {
    if (auto* linear = child->as<torch::nn::Linear>()) {
      const auto& w = linear->weight;
      const auto& b = linear->bias;
      if (!b.defined() || w.device().type() != torch::kCPU || w.scalar_type() != torch::kFloat32 ||
          !w.is_contiguous() || !b.is_contiguous() || b.scalar_type() != torch::kFloat32) {
        return {};
      }
      if (!layers.empty() && (layers.back().act == Act::kNone || layers.back().weight.size(0) != w.size(1))) return {};
      layers.push_back({w, b, Act::kNone});
      continue;
    }
    Act act;
    if (child->as<torch::nn::SiLU>()) act = Act::kSilu;
    else if (child->as<torch::nn::Tanh>()) act = Act::kTanh;
    else if (child->as<torch::nn::ReLU>()) act = Act::kRelu;
    else if (auto* elu = child->as<torch::nn::ELU>(); elu && elu->options.alpha() == 1.0) act = Act::kElu;
    else return {};
    if (layers.empty() || layers.back().act != Act::kNone) return {};
    layers.back().act = act;
  }
  if (layers.empty() || layers.back().act != Act::kNone) return {};
  return layers;
}

// Row-major C[m, n] = op(A) op(B) + beta C, op = transpose where asked.
void gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b,
          int64_t ldb, float beta, float* c, int64_t ldc) {
  if (m == 0 || n == 0) return;
  if (k == 0) {
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) c[i * ldc + j] = beta == 0.0f ? 0.0f : beta * c[i * ldc + j];
    }
    return;
  }
#ifdef FPO_HAVE_CBLAS
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, m, n, k, 1.0f,
              a, lda, b, ldb, beta, c, ldc);
#else
  // No CBLAS header at build time (e.g. a pip LibTorch): LibTorch's own GEMM.
  auto view = [](const float* p, int64_t rows, int64_t cols, int64_t ld) {
    return torch::from_blob(const_cast<float*>(p), {rows, cols}, {ld, 1}, torch::kFloat32);
  };
  auto A = trans_a ? view(a, k, m, lda).t() : view(a, m, k, lda);
  auto B = trans_b ? view(b, n, k, ldb).t() : view(b, k, n, ldb);
  auto C = view(c, m, n, ldc);
  if (beta == 0.0f) at::mm_out(C, A, B);
  else C.addmm_(A, B, beta, 1.0f);
#endif
}

// One layer forward: out[n, o] = act(in[n, i] W^T + b); the bias is written
// first and the GEMM adds onto it (beta = 1), as LibTorch's addmm.
void layer_forward(const Layer& l, const float* in, int64_t n, float* out, float* sig) {
  const int64_t o = l.weight.size(0), i = l.weight.size(1);
  const float* bias = l.bias.data_ptr<float>();
  for (int64_t r = 0; r < n; ++r) std::copy(bias, bias + o, out + r * o);
  gemm(false, true, n, o, i, in, i, l.weight.data_ptr<float>(), i, 1.0f, out, o);
  kernels::activate(l.act, out, n * o, sig);
}

void forward_rows(const std::vector<Layer>& layers, const float* x, int64_t n, float* y) {
  thread_local std::vector<float> ping, pong;
  const float* in = x;
  for (size_t k = 0; k < layers.size(); ++k) {
    float* out = y;
    if (k + 1 < layers.size()) {
      auto& buf = k % 2 == 0 ? ping : pong;
      buf.resize(static_cast<size_t>(n * layers[k].weight.size(0)));
      out = buf.data();
    }
    layer_forward(layers[k], in, n, out, nullptr);
    in = out;
  }
}

// The whole network as one autograd node (LibTorch's autograd::Function
// cannot take a variable number of parameter tensors): its next edges are x,
// then weight and bias of each layer.
class FusedMlpBackward : public torch::autograd::Node {
 public:
  FusedMlpBackward(std::vector<Layer> layers, torch::Tensor x, std::vector<torch::Tensor> hidden,
                   std::vector<torch::Tensor> sigmoids)
      : layers_(std::move(layers)), x_(std::move(x)), hidden_(std::move(hidden)), sigmoids_(std::move(sigmoids)) {
    for (const auto& l : layers_) versions_.push_back(l.weight._version() + l.bias._version());
  }
  std::string name() const override { return "fpo::FusedMlpBackward"; }
  void release_variables() override {
    x_.reset();
    hidden_.clear();
    sigmoids_.clear();
  }

  torch::autograd::variable_list apply(torch::autograd::variable_list&& grad_outputs) override {
    // (fpo::Error, not TORCH_CHECK: that would put this file's path into every binary)
    if (!x_.defined()) throw Error("fpo::FusedMlpBackward: backward through the graph a second time");
    for (size_t k = 0; k < layers_.size(); ++k) {
      if (layers_[k].weight._version() + layers_[k].bias._version() != versions_[k]) {
        throw Error("fpo::FusedMlpBackward: a weight was modified in place between forward and backward");
      }
    }
    const size_t count = layers_.size();
    const int64_t n = x_.size(0);
    torch::autograd::variable_list grads(1 + 2 * count);
    if (!grad_outputs[0].defined()) return grads;
    auto g = grad_outputs[0].contiguous();
    for (size_t k = count; k-- > 0;) {
      const auto& w = layers_[k].weight;
      const int64_t o = w.size(0), i = w.size(1);
      const torch::Tensor& in = k == 0 ? x_ : hidden_[k - 1];
      if (task_should_compute_output(1 + 2 * k)) {
        auto gw = torch::empty_like(w);
        gemm(true, false, o, i, n, g.data_ptr<float>(), o, in.data_ptr<float>(), i, 0.0f, gw.data_ptr<float>(), i);
        grads[1 + 2 * k] = gw;
      }
      if (task_should_compute_output(2 + 2 * k)) grads[2 + 2 * k] = g.sum(0);
      if (k == 0 && !task_should_compute_output(0)) break;
      auto gin = torch::empty({n, i}, g.options());
      gemm(false, false, n, i, o, g.data_ptr<float>(), o, w.data_ptr<float>(), i, 0.0f, gin.data_ptr<float>(), i);
      if (k > 0) {
        const auto act = layers_[k - 1].act;
        kernels::scale_by_derivative(act, gin.data_ptr<float>(), hidden_[k - 1].data_ptr<float>(),
                                     act == Act::kSilu ? sigmoids_[k - 1].data_ptr<float>() : nullptr, gin.numel());
      }
      g = gin;
    }
    if (task_should_compute_output(0)) grads[0] = g;
    return grads;
  }

 private:
  std::vector<Layer> layers_;
  torch::Tensor x_;
  std::vector<torch::Tensor> hidden_, sigmoids_;  // per hidden layer: its output, silu's sigmoid
  std::vector<int64_t> versions_;
};

torch::autograd::Edge edge_of(const torch::Tensor& t) {
  return t.requires_grad() ? torch::autograd::impl::gradient_edge(t) : torch::autograd::Edge();
}

torch::Tensor fused_forward(const std::vector<Layer>& layers, const torch::Tensor& x2d) {
  const bool grad = torch::GradMode::is_enabled() &&
                    (x2d.requires_grad() || std::any_of(layers.begin(), layers.end(), [](const Layer& l) {
                       return l.weight.requires_grad() || l.bias.requires_grad();
                     }));
  auto x = x2d.contiguous();
  const int64_t n = x.size(0);
  if (!grad) {
    auto y = torch::empty({n, layers.back().weight.size(0)}, x.options());
    forward_rows(layers, x.data_ptr<float>(), n, y.data_ptr<float>());
    return y;
  }
  std::vector<torch::Tensor> hidden, sigmoids;
  torch::Tensor y;
  {
    torch::NoGradGuard no_grad;
    const float* in = x.data_ptr<float>();
    for (size_t k = 0; k < layers.size(); ++k) {
      const auto& l = layers[k];
      auto out = torch::empty({n, l.weight.size(0)}, x.options());
      auto sig = l.act == Act::kSilu ? torch::empty_like(out) : torch::Tensor();
      layer_forward(l, in, n, out.data_ptr<float>(), sig.defined() ? sig.data_ptr<float>() : nullptr);
      in = out.data_ptr<float>();
      if (k + 1 < layers.size()) {
        hidden.push_back(out);
        sigmoids.push_back(sig);
      } else {
        y = out;
      }
    }
  }
  torch::autograd::edge_list edges{edge_of(x2d)};
  for (const auto& l : layers) {
    edges.push_back(edge_of(l.weight));
    edges.push_back(edge_of(l.bias));
  }
  auto node = std::shared_ptr<FusedMlpBackward>(new FusedMlpBackward(layers, x.detach(), hidden, sigmoids),
                                                torch::autograd::deleteNode);
  node->set_next_edges(std::move(edges));
  torch::autograd::set_history(y, node);
  return y;
}

}  // namespace

bool mlp_is_fusable(const torch::nn::Sequential& net) { return !fusable_layers(net).empty(); }

torch::Tensor mlp_forward(const torch::nn::Sequential& net, const torch::Tensor& x) {
  const auto layers = fusable_layers(net);
  if (layers.empty() || x.device().type() != torch::kCPU || x.scalar_type() != torch::kFloat32 || x.dim() < 1 ||
      x.size(-1) != layers.front().weight.size(1)) {
    torch::nn::Sequential modules = net;  // (forward is not const; this copies a pointer)
    return modules->forward(x);           // LibTorch's modules also report shape errors
  }
  auto sizes = x.sizes().vec();
  auto y = fused_forward(layers, x.reshape({-1, x.size(-1)}));
  sizes.back() = y.size(1);
  return y.reshape(sizes);
}

void mlp_forward_rows(const torch::nn::Sequential& net, const float* x, int64_t n, float* y) {
  const auto layers = fusable_layers(net);
  if (layers.empty()) throw Error("mlp_forward_rows: the network is not a CPU float32 make_mlp network");
  torch::NoGradGuard no_grad;
  forward_rows(layers, x, n, y);
}

}  // namespace fpo
