#pragma once
// DPPO (the diffusion baseline): the K denoising steps of a flow policy become
// a Gaussian MDP. Starting from x_K ~ N(0, I), step k (from t_k = k / K to
// t_{k-1}) draws
//   x_{k-1} ~ N(mu_k, sigma^2 I),  mu_k = x_k - dt * v(x_k, t_k; obs),  dt = 1 / K,
// with a fixed sigma; the env action is x_0. Every step has an exact
// likelihood, so the PPO ratio is exact per step: log_ratio is [B, K] and the
// shared objective clips each step's ratio alone.
#include <string>

#include "fpo/policy/policy.h"

namespace fpo {

// The velocity network has the same shape and defaults as the flow policy's.
struct DppoPolicyConfig {
  std::string hidden = "32,32,32,32";
  std::string activation = "silu";
  int t_embed_dim = 8;
  double output_scale = 0.25;
  int steps = 10;      // K denoising steps (MDP length per action)
  double sigma = 0.05;  // per-step noise standard deviation (DPPO paper's best)
};

class DppoPolicy : public Policy {
 public:
  DppoPolicy(int64_t obs_dim, int64_t act_dim, const DppoPolicyConfig& config);

  // Stores the whole chain x_K .. x_0 as memory "dppo_chain" [N, K+1, A] and the
  // per-step log-likelihoods under the acting parameters as "dppo_log_prob"
  // [N, K]. deterministic: x_K = 0 and no per-step noise (x_{k-1} = mu_k).
  ActResult act(const torch::Tensor& obs, bool deterministic, bool with_memory) override;
  // log N(x_{k-1}; mu_k^new, sigma^2) - log N(x_{k-1}; mu_k^old, sigma^2) per step: [B, K].
  // `action` is not used: it is the chain's last entry.
  torch::Tensor log_ratio(const torch::Tensor& obs, const torch::Tensor& action, const TensorMap& memory) override;
  std::string family() const override { return "denoising_mdp"; }

  // v(x, t; obs): obs [..., D], x [..., A], t [...] -> [..., A].
  torch::Tensor velocity(const torch::Tensor& obs, const torch::Tensor& x, const torch::Tensor& t);
  // Per-step log-likelihoods of a chain [B, K+1, A] (x_K first) under the
  // current parameters: [B, K], column j for the step x_{K-j} -> x_{K-j-1}.
  torch::Tensor step_log_probs(const torch::Tensor& obs, const torch::Tensor& chain);
  // log N(x_next; mean, sigma^2 I) summed over the last dimension: [..., A] -> [...].
  static torch::Tensor gaussian_step_log_prob(const torch::Tensor& x_next, const torch::Tensor& mean, double sigma);

  const DppoPolicyConfig& config() const { return config_; }

 private:
  DppoPolicyConfig config_;
  int64_t act_dim_;
  torch::nn::Sequential net_{nullptr};
};

}  // namespace fpo
