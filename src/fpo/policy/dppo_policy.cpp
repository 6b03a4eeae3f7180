#include "fpo/policy/dppo_policy.h"

#include <cmath>

#include "fpo/common/error.h"
#include "fpo/policy/mlp.h"
#include "fpo/policy/mlp_forward.h"
#include "fpo/policy/time_embedding.h"

namespace fpo {

DppoPolicy::DppoPolicy(int64_t obs_dim, int64_t act_dim, const DppoPolicyConfig& config)
    : config_(config), act_dim_(act_dim) {
  if (config.steps < 1) throw Error("dppo.steps must be >= 1, got " + std::to_string(config.steps));
  if (!(config.sigma > 0)) throw Error("dppo.sigma must be > 0, got " + std::to_string(config.sigma));
  if (!(config.output_scale > 0)) {
    throw Error("dppo.output_scale must be > 0, got " + std::to_string(config.output_scale));
  }
  if (config.t_embed_dim < 2 || config.t_embed_dim % 2 != 0) {
    throw Error("dppo.t_embed_dim must be an even number >= 2, got " + std::to_string(config.t_embed_dim));
  }
  const auto hidden = parse_layer_widths(config.hidden, "dppo.hidden");
  net_ = register_module("velocity", make_mlp(obs_dim + act_dim + config.t_embed_dim, hidden, act_dim,
                                              config.activation));
}

torch::Tensor DppoPolicy::velocity(const torch::Tensor& obs, const torch::Tensor& x, const torch::Tensor& t) {
  auto input = torch::cat({obs, x, sinusoidal_time_embedding(t, config_.t_embed_dim)}, -1);
  return mlp_forward(net_, input) * config_.output_scale;
}

torch::Tensor DppoPolicy::gaussian_step_log_prob(const torch::Tensor& x_next, const torch::Tensor& mean,
                                                 double sigma) {
  auto z = (x_next - mean) / sigma;
  return (-0.5 * z.pow(2) - std::log(sigma) - 0.5 * std::log(2 * M_PI)).sum(-1);
}

torch::Tensor DppoPolicy::step_log_probs(const torch::Tensor& obs, const torch::Tensor& chain) {
  const int64_t k = config_.steps;
  if (chain.dim() != 3 || chain.size(1) != k + 1) {
    throw Error("DPPO chain must be [B, K+1, A] with K = dppo.steps = " + std::to_string(k) + ", got " +
                std::to_string(chain.dim()) + " dims with size(1) = " + std::to_string(chain.size(1)));
  }
  const double dt = 1.0 / static_cast<double>(k);
  auto x_from = chain.narrow(1, 0, k);  // x_K .. x_1
  auto x_to = chain.narrow(1, 1, k);    // x_{K-1} .. x_0
  // Column j steps from t = (K - j) / K.
  auto t = (torch::arange(k, 0, -1, chain.options()) * dt).unsqueeze(0).expand({chain.size(0), k});
  auto obs_rep = obs.unsqueeze(1).expand({obs.size(0), k, obs.size(1)});
  auto mean = x_from - dt * velocity(obs_rep, x_from, t);
  return gaussian_step_log_prob(x_to, mean, config_.sigma);
}

ActResult DppoPolicy::act(const torch::Tensor& obs, bool deterministic, bool with_memory) {
  const int64_t n = obs.size(0);
  const int k = config_.steps;
  const double dt = 1.0 / k;
  auto x = deterministic ? torch::zeros({n, act_dim_}, obs.options()) : torch::randn({n, act_dim_}, obs.options());
  std::vector<torch::Tensor> chain = {x};
  auto t = torch::empty({n}, obs.options());
  for (int step = k; step >= 1; --step) {
    t.fill_(step * dt);
    auto mean = x - dt * velocity(obs, x, t);
    x = deterministic ? mean : mean + config_.sigma * torch::randn_like(mean);
    chain.push_back(x);
  }
  ActResult out;
  out.action = x;
  if (with_memory) {
    auto stacked = torch::stack(chain, 1);  // [N, K+1, A]
    out.memory["dppo_chain"] = stacked;
    // Recomputed with the same batched computation log_ratio uses, so that the
    // ratio at the acting parameters is exactly 1.
    out.memory["dppo_log_prob"] = step_log_probs(obs, stacked);
  }
  return out;
}

torch::Tensor DppoPolicy::log_ratio(const torch::Tensor& obs, const torch::Tensor& action, const TensorMap& memory) {
  return step_log_probs(obs, memory.at("dppo_chain")) - memory.at("dppo_log_prob");
}

}  // namespace fpo
