#include "fpo/policy/flow_policy.h"

#include <cmath>
#include <optional>
#include <vector>

#include "fpo/common/error.h"
#include "fpo/policy/fused_mlp.h"
#include "fpo/policy/mlp.h"
#include "fpo/policy/time_embedding.h"

namespace fpo {

namespace {
CfmLoss parse_loss(const std::string& s) {
  if (s == "eps") return CfmLoss::kEpsMse;
  if (s == "u") return CfmLoss::kUMse;
  throw Error("flow.loss = '" + s + "' is not allowed; allowed: eps (eps-MSE), u (u-MSE)");
}
FpoRatio parse_ratio(const std::string& s) {
  if (s == "mean") return FpoRatio::kMeanBeforeExp;
  if (s == "per_sample") return FpoRatio::kPerSample;
  throw Error("flow.ratio = '" + s + "' is not allowed; allowed: mean, per_sample");
}
TimeSampling parse_t_sampling(const std::string& s) {
  if (s == "uniform") return TimeSampling::kUniform;
  if (s == "grid") return TimeSampling::kGrid;
  throw Error("flow.t_sampling = '" + s + "' is not allowed; allowed: uniform, grid");
}

// Euler sampling on raw rows, for acting on CPU: the network input
// [obs | x | embedding(t)] is assembled once and only its x and embedding
// columns change per step, so a step is one fused forward pass and no tensor
// op (the generic integrate_flow costs ~15 LibTorch ops per step).
torch::Tensor euler_sample_rows(const torch::nn::Sequential& net, const torch::Tensor& obs, const torch::Tensor& x1,
                                int steps, int64_t embed_dim, double output_scale) {
  const int64_t n = obs.size(0), d = obs.size(1), a = x1.size(1), width = d + a + embed_dim, half = embed_dim / 2;
  auto obs_c = obs.contiguous();
  auto x = x1.contiguous().clone();
  std::vector<float> input(static_cast<size_t>(n * width)), v(static_cast<size_t>(n * a)), embedding(embed_dim);
  const float* o = obs_c.data_ptr<float>();
  for (int64_t i = 0; i < n; ++i) std::copy(o + i * d, o + (i + 1) * d, input.data() + i * width);
  float* xs = x.data_ptr<float>();
  const float dt = static_cast<float>(1.0 / steps), step_scale = dt * static_cast<float>(output_scale);
  for (int k = steps; k >= 1; --k) {
    const auto t = static_cast<float>(k * (1.0 / steps));
    for (int64_t h = 0; h < half; ++h) {  // as sinusoidal_time_embedding: sin(pi 2^h t), then cos
      const float angle = t * (static_cast<float>(M_PI) * std::ldexp(1.0f, static_cast<int>(h)));
      embedding[h] = std::sin(angle);
      embedding[half + h] = std::cos(angle);
    }
    for (int64_t i = 0; i < n; ++i) {
      float* row = input.data() + i * width;
      std::copy(xs + i * a, xs + (i + 1) * a, row + d);
      std::copy(embedding.begin(), embedding.end(), row + d + a);
    }
    mlp_forward_rows(net, input.data(), n, v.data());
    for (int64_t j = 0; j < n * a; ++j) xs[j] -= step_scale * v[j];
  }
  return x;
}

// The network inputs of the CFM pairs, [B, M, obs | x_t | embedding(t)] with
// x_t = t eps + (1 - t) a, written row by row into one buffer: the same
// numbers as the tensor expression in cfm_loss, without its ~10 ops.
torch::Tensor cfm_input_rows(const torch::Tensor& obs, const torch::Tensor& action, const torch::Tensor& t,
                             const torch::Tensor& eps, int64_t embed_dim) {
  const int64_t b = obs.size(0), d = obs.size(1), m = t.size(1), a = action.size(1), half = embed_dim / 2;
  const int64_t width = d + a + embed_dim;
  auto obs_c = obs.contiguous(), action_c = action.contiguous(), t_c = t.contiguous(), eps_c = eps.contiguous();
  auto input = torch::empty({b, m, width}, obs.options());
  const float *o = obs_c.data_ptr<float>(), *act = action_c.data_ptr<float>();
  const float *ts = t_c.data_ptr<float>(), *e = eps_c.data_ptr<float>();
  float* row = input.data_ptr<float>();
  for (int64_t i = 0; i < b; ++i) {
    for (int64_t j = 0; j < m; ++j, row += width) {
      const int64_t pair = i * m + j;
      const float tt = ts[pair];
      std::copy(o + i * d, o + (i + 1) * d, row);
      for (int64_t k = 0; k < a; ++k) row[d + k] = tt * e[pair * a + k] + (1.0f - tt) * act[i * a + k];
      for (int64_t h = 0; h < half; ++h) {
        const float angle = tt * (static_cast<float>(M_PI) * std::ldexp(1.0f, static_cast<int>(h)));
        row[d + a + h] = std::sin(angle);
        row[d + a + half + h] = std::cos(angle);
      }
    }
  }
  return input;
}

bool float_cpu(const torch::Tensor& x) { return x.device().is_cpu() && x.scalar_type() == torch::kFloat32; }
}  // namespace

FlowPolicy::FlowPolicy(int64_t obs_dim, int64_t act_dim, const FlowPolicyConfig& config)
    : config_(config),
      act_dim_(act_dim),
      loss_(parse_loss(config.loss)),
      ratio_(parse_ratio(config.ratio)),
      t_sampling_(parse_t_sampling(config.t_sampling)),
      sampler_(parse_flow_sampler(config.sampler)),
      sampler_steps_(config.steps),
      sampler_noise_(config.sampler_noise) {
  if (config.n_mc < 1) throw Error("flow.n_mc must be >= 1, got " + std::to_string(config.n_mc));
  if (config.steps < 1) throw Error("flow.steps must be >= 1, got " + std::to_string(config.steps));
  if (!(config.sampler_noise >= 0)) {
    throw Error("flow.sampler_noise must be >= 0, got " + std::to_string(config.sampler_noise));
  }
  if (!(config.output_scale > 0)) {
    throw Error("flow.output_scale must be > 0, got " + std::to_string(config.output_scale));
  }
  const auto hidden = parse_layer_widths(config.hidden, "flow.hidden");
  net_ = register_module("velocity", make_mlp(obs_dim + act_dim + config.t_embed_dim, hidden, act_dim,
                                              config.activation));
  // Validates t_embed_dim early, before the first forward pass.
  sinusoidal_time_embedding(torch::zeros({1}), config.t_embed_dim);
}

torch::Tensor FlowPolicy::velocity(const torch::Tensor& obs, const torch::Tensor& x, const torch::Tensor& t) {
  auto input = torch::cat({obs, x, sinusoidal_time_embedding(t, config_.t_embed_dim)}, -1);
  return mlp_forward(net_, input) * config_.output_scale;
}

torch::Tensor FlowPolicy::sample(const torch::Tensor& obs, const torch::Tensor& x1, bool noise_free) {
  const bool euler = sampler_ == FlowSamplerKind::kEuler ||
                     (sampler_ == FlowSamplerKind::kStochastic && (noise_free || sampler_noise_ == 0.0));
  const bool cpu_rows = obs.dim() == 2 && float_cpu(obs) && float_cpu(x1);
  if (euler && cpu_rows && !torch::GradMode::is_enabled() && mlp_is_fusable(net_)) {
    return euler_sample_rows(net_, obs, x1, sampler_steps_, config_.t_embed_dim, config_.output_scale);
  }
  VelocityField field = [&](const torch::Tensor& x, const torch::Tensor& t) { return velocity(obs, x, t); };
  return integrate_flow(field, x1, sampler_steps_, sampler_, noise_free ? 0.0 : sampler_noise_);
}

void FlowPolicy::set_sampler(FlowSamplerKind kind, int steps) {
  if (steps < 1) throw Error("flow steps must be >= 1, got " + std::to_string(steps));
  sampler_ = kind;
  sampler_steps_ = steps;
}

void FlowPolicy::set_sampler_noise(double noise) {
  if (!(noise >= 0)) throw Error("flow sampler noise must be >= 0, got " + std::to_string(noise));
  sampler_noise_ = noise;
}

torch::Tensor FlowPolicy::cfm_loss(const torch::Tensor& obs, const torch::Tensor& action, const torch::Tensor& t,
                                   const torch::Tensor& eps) {
  auto a = action.unsqueeze(1);  // [B, 1, A]
  auto t3 = t.unsqueeze(-1);     // [B, M, 1]
  // Only the network's parameters are learned: where obs, action, t and eps
  // need no gradient, the network input is built without recording a graph.
  const bool constant = !(obs.requires_grad() || action.requires_grad() || t.requires_grad() || eps.requires_grad());
  torch::Tensor input;
  if (constant && obs.dim() == 2 && float_cpu(obs) && float_cpu(action) && float_cpu(t) && float_cpu(eps)) {
    input = cfm_input_rows(obs, action, t, eps, config_.t_embed_dim);
  } else {
    std::optional<torch::NoGradGuard> no_grad;
    if (constant) no_grad.emplace();
    auto x_t = t3 * eps + (1.0 - t3) * a;
    auto obs_rep = obs.unsqueeze(1).expand({obs.size(0), t.size(1), obs.size(1)});
    input = torch::cat({obs_rep, x_t, sinusoidal_time_embedding(t, config_.t_embed_dim)}, -1);
  }
  auto v = mlp_forward(net_, input) * config_.output_scale;
  torch::Tensor err;
  if (loss_ == CfmLoss::kUMse) {
    err = v - (eps - a);  // the straight-path velocity target
  } else {
    auto x_t = input.narrow(-1, obs.size(-1), action.size(-1));
    err = (x_t + (1.0 - t3) * v) - eps;  // noise prediction implied by v
  }
  return err.pow(2).mean(-1);  // mean over action dims: [B, M]
}

std::pair<torch::Tensor, torch::Tensor> FlowPolicy::draw_cfm_pairs(int64_t batch,
                                                                   const torch::TensorOptions& opts) const {
  const int64_t m = config_.n_mc;
  torch::Tensor t;
  if (t_sampling_ == TimeSampling::kUniform) {
    t = torch::rand({batch, m}, opts);
  } else {
    // The points the Euler sampler evaluates the field at: k / K, k = 1..K.
    const int k = config_.steps;
    t = (torch::randint(1, k + 1, {batch, m}, opts)) / static_cast<double>(k);
  }
  return {t, torch::randn({batch, m, act_dim_}, opts)};
}

ActResult FlowPolicy::act(const torch::Tensor& obs, bool deterministic, bool with_memory) {
  const int64_t n = obs.size(0);
  auto x1 = deterministic ? torch::zeros({n, act_dim_}, obs.options()) : torch::randn({n, act_dim_}, obs.options());
  ActResult out;
  out.action = sample(obs, x1, /*noise_free=*/deterministic);
  // Off by default: a flow fitted to clipped actions must fit point masses at
  // the bounds, whose CFM-loss differences are unbounded (docs/stability.md).
  if (config_.action_bound > 0) out.action = out.action.clamp(-config_.action_bound, config_.action_bound);
  if (with_memory) {
    auto [t, eps] = draw_cfm_pairs(n, obs.options());
    out.memory["cfm_t"] = t;
    out.memory["cfm_eps"] = eps;
    out.memory["cfm_loss"] = cfm_loss(obs, out.action, t, eps);
  }
  return out;
}

// The FPO ratio: exp(l_old - l_new) on the (t, eps) pairs stored at rollout
// time. A lower CFM loss under the new parameters means the action became more
// likely (the CFM loss bounds the negative log-likelihood up to a constant).
torch::Tensor FlowPolicy::log_ratio(const torch::Tensor& obs, const torch::Tensor& action, const TensorMap& memory) {
  auto l_old = memory.at("cfm_loss");
  auto l_new = cfm_loss(obs, action, memory.at("cfm_t"), memory.at("cfm_eps"));
  if (config_.loss_clamp > 0) {
    l_old = l_old.clamp_max(config_.loss_clamp);
    l_new = l_new.clamp_max(config_.loss_clamp);
  }
  torch::Tensor diff = ratio_ == FpoRatio::kPerSample
                           ? l_old - l_new                                            // [B, M]
                           : l_old.mean(1, /*keepdim=*/true) - l_new.mean(1, true);  // [B, 1]
  if (config_.diff_clamp > 0) diff = diff.clamp(-config_.diff_clamp, config_.diff_clamp);
  return diff;
}

}  // namespace fpo
