#include "fpo/policy/flow_policy.h"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <utility>

#include "fpo/common/error.h"
#include "fpo/policy/generator_restore.h"
#include "fpo/policy/mlp.h"
#include "fpo/policy/mlp_forward.h"
#include "fpo/policy/time_embedding.h"

namespace fpo {

namespace {
// One enum value per allowed name; the error names the key, the value and what is allowed.
template <typename E>
E parse_choice(const char* key, const std::string& value, std::initializer_list<std::pair<const char*, E>> choices,
               const char* allowed) {
  for (const auto& [name, choice] : choices) {
    if (value == name) return choice;
  }
  throw Error(std::string(key) + " = '" + value + "' is not allowed; allowed: " + allowed);
}
CfmLoss parse_loss(const std::string& s) {
  return parse_choice<CfmLoss>("flow.loss", s, {{"eps", CfmLoss::kEpsMse}, {"u", CfmLoss::kUMse}},
                               "eps (eps-MSE), u (u-MSE)");
}
FpoRatio parse_ratio(const std::string& s) {
  return parse_choice<FpoRatio>("flow.ratio", s,
                                {{"mean", FpoRatio::kMeanBeforeExp}, {"per_sample", FpoRatio::kPerSample}},
                                "mean, per_sample");
}
TimeSampling parse_t_sampling(const std::string& s) {
  return parse_choice<TimeSampling>("flow.t_sampling", s,
                                    {{"uniform", TimeSampling::kUniform}, {"grid", TimeSampling::kGrid}},
                                    "uniform, grid");
}
CfmPairs parse_pairs(const std::string& s) {
  return parse_choice<CfmPairs>("flow.pairs", s, {{"stored", CfmPairs::kStored}, {"fresh", CfmPairs::kFresh}},
                                "stored, fresh");
}
PairNoise parse_pair_noise(const std::string& s) {
  return parse_choice<PairNoise>("flow.pair_noise", s,
                                 {{"independent", PairNoise::kIndependent}, {"sampling", PairNoise::kSampling}},
                                 "independent, sampling");
}
FlowPredict parse_predict(const std::string& s) {
  return parse_choice<FlowPredict>("flow.predict", s,
                                   {{"velocity", FlowPredict::kVelocity}, {"action", FlowPredict::kAction}},
                                   "velocity, action");
}
}  // namespace

FlowPolicy::FlowPolicy(int64_t obs_dim, int64_t act_dim, const FlowPolicyConfig& config)
    : config_(config),
      act_dim_(act_dim),
      loss_(parse_loss(config.loss)),
      ratio_(parse_ratio(config.ratio)),
      t_sampling_(parse_t_sampling(config.t_sampling)),
      pairs_(parse_pairs(config.pairs)),
      pair_noise_(parse_pair_noise(config.pair_noise)),
      predict_(parse_predict(config.predict)),
      sampler_(parse_flow_sampler(config.sampler)),
      sampler_steps_(config.steps),
      sampler_noise_(config.sampler_noise) {
  if (config.n_mc < 1) throw Error("flow.n_mc must be >= 1, got " + std::to_string(config.n_mc));
  if (config.steps < 1) throw Error("flow.steps must be >= 1, got " + std::to_string(config.steps));
  if (!(config.sampler_noise >= 0)) {
    throw Error("flow.sampler_noise must be >= 0, got " + std::to_string(config.sampler_noise));
  }
  if (!(config.spread_floor >= 0)) {
    throw Error("flow.spread_floor must be >= 0, got " + std::to_string(config.spread_floor));
  }
  if (!(config.cfm_anchor >= 0)) {
    throw Error("flow.cfm_anchor must be >= 0, got " + std::to_string(config.cfm_anchor));
  }
  if (pair_noise_ == PairNoise::kSampling && pairs_ != CfmPairs::kStored) {
    throw Error("flow.pair_noise = sampling needs flow.pairs = stored (fresh pairs have no sampling noise)");
  }
  if (predict_ == FlowPredict::kAction && t_sampling_ != TimeSampling::kGrid) {
    throw Error("flow.predict = action needs flow.t_sampling = grid (its velocity divides by t, and uniform t "
                "comes arbitrarily close to 0)");
  }
  if (!(config.anchor_t_max > 0 && config.anchor_t_max <= 1)) {
    throw Error("flow.anchor_t_max must be in (0, 1], got " + std::to_string(config.anchor_t_max));
  }
  if (!(config.negative_t_min >= 0 && config.negative_t_min <= 1)) {
    throw Error("flow.negative_t_min must be in [0, 1], got " + std::to_string(config.negative_t_min));
  }
  if (!(config.bound_penalty >= 0)) {
    throw Error("flow.bound_penalty must be >= 0, got " + std::to_string(config.bound_penalty));
  }
  if (!(config.drift_var_max >= 0)) {
    throw Error("flow.drift_var_max must be >= 0, got " + std::to_string(config.drift_var_max));
  }
  if (!(config.target_noise >= 0)) {
    throw Error("flow.target_noise must be >= 0, got " + std::to_string(config.target_noise));
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
  return velocity_of(net_, obs, x, t);
}

torch::Tensor FlowPolicy::velocity_of(torch::nn::Sequential& net, const torch::Tensor& obs, const torch::Tensor& x,
                                      const torch::Tensor& t) {
  if (direct_applies(net, obs, x, t)) return direct_velocity(net, obs, x, t);
  auto input = torch::cat({obs, x, sinusoidal_time_embedding(t, config_.t_embed_dim)}, -1);
  auto out = net->forward(input) * config_.output_scale;
  if (predict_ == FlowPredict::kAction) return -out / t.unsqueeze(-1);  // out = a_hat - x_t = -t v
  return out;
}

torch::Tensor FlowPolicy::sample(const torch::Tensor& obs, const torch::Tensor& x1, bool noise_free) {
  return sample_with(net_, obs, x1, noise_free ? 0.0 : sampler_noise_);
}

torch::Tensor FlowPolicy::sample_with(torch::nn::Sequential& net, const torch::Tensor& obs, const torch::Tensor& x1,
                                      double noise) {
  if (obs.dim() == 2 && x1.dim() == 2 && obs.size(0) == x1.size(0) && direct_applies(net, obs, x1)) {
    return direct_sample(net, obs, x1, noise);
  }
  VelocityField field = [&](const torch::Tensor& x, const torch::Tensor& t) { return velocity_of(net, obs, x, t); };
  return integrate_flow(field, x1, sampler_steps_, sampler_, noise);
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
                                   const torch::Tensor& eps, const torch::Tensor& blur) {
  return cfm_loss_of(net_, obs, action, t, eps, blur);
}

torch::Tensor FlowPolicy::cfm_loss_of(torch::nn::Sequential& net, const torch::Tensor& obs, const torch::Tensor& action,
                                      const torch::Tensor& t, const torch::Tensor& eps, const torch::Tensor& blur) {
  const bool shapes = obs.dim() == 2 && action.dim() == 2 && t.dim() == 2 && eps.dim() == 3 &&
                      obs.size(0) == t.size(0) && action.size(0) == t.size(0) && eps.size(1) == t.size(1);
  if (shapes && direct_applies(net, obs, action, t) && cpu_float32(eps) && (!blur.defined() || cpu_float32(blur))) {
    return direct_cfm_loss(net, obs, action, t, eps, blur);
  }
  const int64_t m = t.size(1);
  auto obs_rep = obs.unsqueeze(1).expand({obs.size(0), m, obs.size(1)});
  auto a = action.unsqueeze(1);  // [B, 1, A]
  if (blur.defined()) a = a + blur;  // [B, M, A]
  auto t3 = t.unsqueeze(-1);     // [B, M, 1]
  auto x_t = t3 * eps + (1.0 - t3) * a;
  auto v = velocity_of(net, obs_rep, x_t, t);
  torch::Tensor err;
  if (loss_ == CfmLoss::kUMse) {
    err = v - (eps - a);  // the straight-path velocity target
  } else {
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

torch::Tensor FlowPolicy::draw_blur(int64_t batch, const torch::TensorOptions& opts) const {
  if (config_.target_noise <= 0) return {};
  return torch::randn({batch, config_.n_mc, act_dim_}, opts) * config_.target_noise;
}

ActResult FlowPolicy::act(const torch::Tensor& obs, bool deterministic, bool with_memory) {
  const int64_t n = obs.size(0);
  auto x1 = deterministic ? torch::zeros({n, act_dim_}, obs.options()) : torch::randn({n, act_dim_}, obs.options());
  ActResult out;
  out.action = sample(obs, x1, /*noise_free=*/deterministic);
  // Off by default: a flow fitted to clipped actions must fit point masses at
  // the bounds, whose CFM-loss differences are unbounded (docs/stability.md).
  if (config_.action_bound > 0) out.action = out.action.clamp(-config_.action_bound, config_.action_bound);
  if (with_memory && pairs_ == CfmPairs::kStored) {
    auto [t, eps] = draw_cfm_pairs(n, obs.options());
    if (pair_noise_ == PairNoise::kSampling) eps = x1.unsqueeze(1).expand_as(eps).contiguous();
    auto blur = draw_blur(n, obs.options());
    out.memory["cfm_t"] = t;
    out.memory["cfm_eps"] = eps;
    if (blur.defined()) out.memory["cfm_blur"] = blur;
    out.memory["cfm_loss"] = cfm_loss(obs, out.action, t, eps, blur);
  }
  return out;
}

torch::Tensor FlowPolicy::reparameterised_samples(const torch::Tensor& obs) {
  const int64_t states = std::min<int64_t>(obs.size(0), kEntropyStates);
  auto obs_rep = obs.slice(0, 0, states).repeat_interleave(kEntropyDraws, 0);  // [S*K, D]
  return sample(obs_rep, torch::randn({obs_rep.size(0), act_dim_}, obs.options()))
      .view({states, kEntropyDraws, act_dim_});
}

torch::Tensor FlowPolicy::sample_spread(const torch::Tensor& obs) {
  // The floor keeps log finite for a collapsed flow (its gradient is then 0).
  return reparameterised_samples(obs).std(1).clamp_min(1e-6);
}

torch::Tensor FlowPolicy::entropy(const torch::Tensor& obs) {
  return (0.5 + 0.5 * std::log(2 * M_PI) + sample_spread(obs).log()).sum(-1).mean();
}

torch::Tensor FlowPolicy::regulariser(const torch::Tensor& obs) {
  if (config_.spread_floor <= 0 && config_.bound_penalty <= 0 && config_.cfm_anchor <= 0) return {};
  torch::Tensor total = torch::zeros({}, obs.options());
  if (config_.cfm_anchor > 0) {
    if (!anchor_losses_.defined() || anchor_losses_.size(0) != obs.size(0)) {
      throw Error("flow.cfm_anchor: regulariser() needs log_ratio() on the same minibatch first");
    }
    total = total + config_.cfm_anchor * anchor_losses_.sum() / anchor_pairs_.clamp_min(1.0);
    anchor_losses_ = anchor_pairs_ = torch::Tensor();
  }
  if (config_.spread_floor <= 0 && config_.bound_penalty <= 0) return total;
  auto actions = reparameterised_samples(obs);  // one draw serves both penalties
  if (config_.spread_floor > 0) {
    auto spread = actions.std(1).clamp_min(1e-6);
    total = total + (std::log(config_.spread_floor) - spread.log()).clamp_min(0.0).mean();
  }
  if (config_.bound_penalty > 0) {
    total = total + config_.bound_penalty * (actions.abs() - 1.0).clamp_min(0.0).pow(2).mean();
  }
  return total;
}

void FlowPolicy::begin_update() {
  // A copy for fresh pairs' old losses and for the measured drift.
  if (!acting_net_) {
    // clone() initialises the copy's layers before copying: keep the training's random stream.
    GeneratorRestore keep_stream(net_->parameters().front().device());
    acting_net_ = std::dynamic_pointer_cast<torch::nn::SequentialImpl>(net_->clone());
    return;
  }
  torch::NoGradGuard no_grad;
  const auto live = net_->parameters();
  const auto copy = acting_net_->parameters();
  for (size_t i = 0; i < live.size(); ++i) copy[i].copy_(live[i]);
}

torch::Tensor FlowPolicy::sample_kl(const torch::Tensor& obs) {
  if (!acting_net_) return {};
  torch::NoGradGuard no_grad;
  const int64_t stride = std::max<int64_t>(1, obs.size(0) / kDriftStates);
  auto states = obs.slice(0, 0, obs.size(0), stride).slice(0, 0, kDriftStates);
  const int64_t s = states.size(0);
  auto obs_rep = states.repeat_interleave(kEntropyDraws, 0);
  torch::Tensor x1;
  {
    GeneratorRestore keep_stream(obs.device());  // a measurement: training's random stream is left as it was
    x1 = torch::randn({obs_rep.size(0), act_dim_}, obs.options());
  }
  // Both integrations are deterministic given x1 (no per-step noise), so the
  // displacement is the policy's change, not sampling noise.
  auto a_old = sample_with(acting_net_, obs_rep, x1, 0.0).view({s, kEntropyDraws, act_dim_});
  auto a_new = sample(obs_rep, x1, /*noise_free=*/true).view({s, kEntropyDraws, act_dim_});
  auto var = a_old.var(1, /*unbiased=*/true, /*keepdim=*/true).clamp_min(1e-12);
  if (config_.drift_var_max > 0) var = var.clamp_max(config_.drift_var_max);
  return ((a_new - a_old).pow(2) / (2.0 * var)).sum(-1).mean(1);  // one value per state: [S]
}

// The FPO ratio: exp(l_old - l_new) on (t, eps) pairs. A lower CFM loss under
// the new parameters means the action became more likely (the CFM loss bounds
// the negative log-likelihood up to a constant). Stored pairs are the ones
// drawn at rollout time, reused by every epoch; fresh pairs are drawn anew for
// each minibatch, with l_old from the acting network's copy, so the update
// cannot lower the loss on a few remembered pairs without lowering it in
// expectation (docs/stability.md).
torch::Tensor FlowPolicy::log_ratio(const torch::Tensor& obs, const torch::Tensor& action, const TensorMap& memory) {
  torch::Tensor t, l_old, l_new;
  if (pairs_ == CfmPairs::kFresh) {
    if (!acting_net_) throw Error("flow.pairs = fresh: log_ratio before begin_update (no copy of the acting network)");
    torch::Tensor eps;
    std::tie(t, eps) = draw_cfm_pairs(obs.size(0), obs.options());
    auto blur = draw_blur(obs.size(0), obs.options());
    {
      torch::NoGradGuard no_grad;
      l_old = cfm_loss_of(acting_net_, obs, action, t, eps, blur);
    }
    l_new = cfm_loss(obs, action, t, eps, blur);
  } else {
    t = memory.at("cfm_t");
    l_old = memory.at("cfm_loss");
    auto blur = memory.find("cfm_blur");
    l_new = cfm_loss(obs, action, t, memory.at("cfm_eps"), blur == memory.end() ? torch::Tensor() : blur->second);
  }
  if (config_.cfm_anchor > 0) {
    const auto inside = (t <= config_.anchor_t_max).to(l_new.dtype());
    anchor_losses_ = l_new * inside;
    anchor_pairs_ = inside.sum();
  }
  if (config_.negative_t_min > 0 && torch::GradMode::is_enabled()) {
    auto adv = memory.find("advantages");
    if (adv == memory.end()) throw Error("flow.negative_t_min: log_ratio needs the minibatch's advantages");
    auto frozen = (t < config_.negative_t_min).logical_and(adv->second.reshape({-1, 1}) < 0);  // [B, M]
    l_new = torch::where(frozen, l_new.detach(), l_new);  // same value, no gradient
  }
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
