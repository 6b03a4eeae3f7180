#include "fpo/policy/gaussian_policy.h"

#include <cmath>

#include "fpo/common/error.h"
#include "fpo/policy/mlp.h"
#include "fpo/policy/mlp_forward.h"

namespace fpo {

GaussianPolicy::GaussianPolicy(int64_t obs_dim, int64_t act_dim, const GaussianPolicyConfig& config)
    : config_(config), act_dim_(act_dim) {
  if (config.std_mode != "log_std" && config.std_mode != "softplus") {
    throw Error("gaussian.std_mode = '" + config.std_mode + "' is not allowed; allowed: log_std, softplus");
  }
  if (!(config.init_std > config.min_std)) {
    throw Error("gaussian.init_std must be > gaussian.min_std (" + std::to_string(config.min_std) + "), got " +
                std::to_string(config.init_std));
  }
  softplus_head_ = config.std_mode == "softplus";
  const auto hidden = parse_layer_widths(config.hidden, "gaussian.hidden");
  net_ = register_module("net", make_mlp(obs_dim, hidden, softplus_head_ ? 2 * act_dim : act_dim,
                                         config.activation, /*last_layer_gain=*/0.01));
  if (softplus_head_) {
    // softplus(0 + offset) + min_std == init_std at initialisation.
    const double target = config.init_std - config.min_std;
    softplus_offset_ = std::log(std::expm1(target));
  } else {
    log_std_ = register_parameter("log_std", torch::full({act_dim}, std::log(config.init_std)));
  }
}

std::pair<torch::Tensor, torch::Tensor> GaussianPolicy::distribution(const torch::Tensor& obs) {
  auto out = mlp_forward(net_, obs);
  if (softplus_head_) {
    auto mean = out.narrow(1, 0, act_dim_);
    auto std = torch::softplus(out.narrow(1, act_dim_, act_dim_) + softplus_offset_) + config_.min_std;
    return {mean, std};
  }
  return {out, log_std_.exp().clamp_min(config_.min_std).expand_as(out)};
}

torch::Tensor GaussianPolicy::log_prob(const torch::Tensor& mean, const torch::Tensor& std,
                                       const torch::Tensor& action) {
  auto z = (action - mean) / std;
  return (-0.5 * z.pow(2) - std.log() - 0.5 * std::log(2 * M_PI)).sum(-1, /*keepdim=*/true);
}

ActResult GaussianPolicy::act(const torch::Tensor& obs, bool deterministic, bool with_memory) {
  auto [mean, std] = distribution(obs);
  ActResult out;
  out.action = deterministic ? mean : mean + std * torch::randn_like(mean);
  if (with_memory) out.memory["log_prob"] = log_prob(mean, std, out.action);
  return out;
}

torch::Tensor GaussianPolicy::log_ratio(const torch::Tensor& obs, const torch::Tensor& action,
                                        const TensorMap& memory) {
  auto [mean, std] = distribution(obs);
  return log_prob(mean, std, action) - memory.at("log_prob");
}

torch::Tensor GaussianPolicy::entropy(const torch::Tensor& obs) {
  auto [mean, std] = distribution(obs);
  return (0.5 + 0.5 * std::log(2 * M_PI) + std.log()).sum(-1).mean();
}

}  // namespace fpo
