#pragma once
// Diagonal Gaussian policy for PPO: the ratio is exp(log pi_new - log pi_old)
// of the sampled (unclipped) action.
#include <string>

#include "fpo/policy/policy.h"

namespace fpo {

struct GaussianPolicyConfig {
  std::string hidden = "32,32,32,32";
  std::string activation = "silu";
  std::string std_mode = "log_std";  // log_std (state-independent, learned) | softplus (state-dependent head)
  double init_std = 0.5;
  double min_std = 1e-3;
};

class GaussianPolicy : public Policy {
 public:
  GaussianPolicy(int64_t obs_dim, int64_t act_dim, const GaussianPolicyConfig& config);

  ActResult act(const torch::Tensor& obs, bool deterministic, bool with_memory) override;
  torch::Tensor log_ratio(const torch::Tensor& obs, const torch::Tensor& action, const TensorMap& memory) override;
  torch::Tensor entropy(const torch::Tensor& obs) override;
  std::string family() const override { return "gaussian"; }

  // Mean and standard deviation, each [B, A].
  std::pair<torch::Tensor, torch::Tensor> distribution(const torch::Tensor& obs);
  // Sum over action dims of the Gaussian log-density: [B, 1].
  static torch::Tensor log_prob(const torch::Tensor& mean, const torch::Tensor& std, const torch::Tensor& action);

 private:
  GaussianPolicyConfig config_;
  int64_t act_dim_;
  bool softplus_head_;
  double softplus_offset_ = 0.0;  // makes the initial std equal init_std
  torch::nn::Sequential net_{nullptr};
  torch::Tensor log_std_;
};

}  // namespace fpo
