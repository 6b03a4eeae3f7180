// FlowPolicy's direct paths: velocity, CFM losses and sampling on raw float
// rows with mlp_forward.h's BLAS forward, no autograd and no LibTorch ops
// inside. The tensor paths in flow_policy.cpp define the arithmetic; these
// follow them step for step (tests/core/mlp_forward_test.cpp compares them).
#include <algorithm>
#include <vector>

#include "fpo/policy/flow_policy.h"
#include "fpo/policy/time_embedding.h"

namespace fpo {

bool FlowPolicy::direct_applies(torch::nn::Sequential& net, const torch::Tensor& obs, const torch::Tensor& x,
                                const torch::Tensor& t) const {
  if (!cpu_float32(obs) || !cpu_float32(x) || (t.defined() && !cpu_float32(t)) || x.size(-1) != act_dim_) return false;
  return direct_forward_applies(net, x, obs.size(-1) + act_dim_ + config_.t_embed_dim);
}

void FlowPolicy::direct_field(torch::nn::Sequential& net, const float* obs, int64_t obs_dim, int64_t obs_repeat,
                              const float* x, const float* t, bool one_t, int64_t rows, float* v) {
  const int64_t d = obs_dim, a = act_dim_, e = config_.t_embed_dim, width = d + a + e;
  direct_input_.resize(static_cast<size_t>(rows * width));
  std::vector<float> shared_embedding(static_cast<size_t>(e));
  if (one_t) sinusoidal_time_embedding(t[0], e, shared_embedding.data());
  for (int64_t r = 0; r < rows; ++r) {
    float* row = direct_input_.data() + r * width;
    const float* obs_row = obs + (r / obs_repeat) * d;
    std::copy(obs_row, obs_row + d, row);
    std::copy(x + r * a, x + (r + 1) * a, row + d);
    if (one_t) std::copy(shared_embedding.begin(), shared_embedding.end(), row + d + a);
    else sinusoidal_time_embedding(t[r], e, row + d + a);
  }
  direct_forward(net, direct_input_.data(), rows, v, direct_scratch_);
  const float scale = static_cast<float>(config_.output_scale);
  for (int64_t r = 0; r < rows; ++r) {
    // predict = action: the net's output is a_hat - x_t = -t v.
    const float k = predict_ == FlowPredict::kAction ? -scale / t[one_t ? 0 : r] : scale;
    for (int64_t j = 0; j < a; ++j) v[r * a + j] *= k;
  }
}

torch::Tensor FlowPolicy::direct_velocity(torch::nn::Sequential& net, const torch::Tensor& obs, const torch::Tensor& x,
                                          const torch::Tensor& t) {
  // obs and t broadcast to x's leading dims, as the tensor path's cat does.
  auto lead = x.sizes().vec();
  lead.pop_back();
  auto obs_sizes = lead;
  obs_sizes.push_back(obs.size(-1));
  const auto o = obs.expand(obs_sizes).contiguous();
  const auto tt = t.expand(lead).contiguous();
  const auto xx = x.contiguous();
  auto out = torch::empty(x.sizes(), x.options());
  direct_field(net, o.data_ptr<float>(), obs.size(-1), 1, xx.data_ptr<float>(), tt.data_ptr<float>(),
               /*one_t=*/false, xx.numel() / act_dim_, out.data_ptr<float>());
  return out;
}

torch::Tensor FlowPolicy::direct_cfm_loss(torch::nn::Sequential& net, const torch::Tensor& obs,
                                          const torch::Tensor& action, const torch::Tensor& t,
                                          const torch::Tensor& eps, const torch::Tensor& blur) {
  const int64_t b = t.size(0), m = t.size(1), a = act_dim_, rows = b * m;
  const auto o = obs.contiguous(), act = action.contiguous(), tt = t.contiguous(), ee = eps.contiguous();
  const auto bl = blur.defined() ? blur.contiguous() : blur;
  const float *pa = act.data_ptr<float>(), *pt = tt.data_ptr<float>(), *pe = ee.data_ptr<float>();
  const float* pb = bl.defined() ? bl.data_ptr<float>() : nullptr;
  // The pair's action (plus its blur) and x_t = t eps + (1 - t) a.
  std::vector<float> target(static_cast<size_t>(rows * a)), x_t(target.size()), v(target.size());
  for (int64_t r = 0; r < rows; ++r) {
    const float tr = pt[r], one_minus = 1.0f - tr;
    for (int64_t j = 0; j < a; ++j) {
      const int64_t i = r * a + j;
      target[i] = pa[(r / m) * a + j] + (pb ? pb[i] : 0.0f);
      x_t[i] = tr * pe[i] + one_minus * target[i];
    }
  }
  direct_field(net, o.data_ptr<float>(), obs.size(-1), m, x_t.data(), pt, /*one_t=*/false, rows, v.data());
  auto loss = torch::empty({b, m}, t.options());
  float* pl = loss.data_ptr<float>();
  for (int64_t r = 0; r < rows; ++r) {
    const float one_minus = 1.0f - pt[r];
    float sum = 0;
    for (int64_t j = 0; j < a; ++j) {
      const int64_t i = r * a + j;
      // u-MSE: v against the straight path's velocity eps - a; eps-MSE: the
      // noise that v implies, x_t + (1 - t) v, against eps.
      const float err = loss_ == CfmLoss::kUMse ? v[i] - (pe[i] - target[i]) : (x_t[i] + one_minus * v[i]) - pe[i];
      sum += err * err;
    }
    pl[r] = sum / static_cast<float>(a);
  }
  return loss;
}

torch::Tensor FlowPolicy::direct_sample(torch::nn::Sequential& net, const torch::Tensor& obs, const torch::Tensor& x1,
                                        double noise) {
  const auto o = obs.contiguous();
  auto x = x1.contiguous().clone();
  const int64_t rows = x.size(0), obs_dim = obs.size(-1);
  const float* po = o.data_ptr<float>();
  DirectVelocityField field = [&](const float* xs, float t, float* v) {
    direct_field(net, po, obs_dim, 1, xs, &t, /*one_t=*/true, rows, v);
  };
  // Drawn as integrate_flow draws them (randn_like of x, once per step).
  NormalDraws normal = [&](float* z) {
    auto draws = torch::randn_like(x);
    std::copy(draws.data_ptr<float>(), draws.data_ptr<float>() + draws.numel(), z);
  };
  integrate_flow_direct(field, x.data_ptr<float>(), x.numel(), sampler_steps_, sampler_, noise, normal);
  return x;
}

}  // namespace fpo
