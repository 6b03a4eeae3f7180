#pragma once
// A policy family = how actions are drawn + how the log of the new/old policy
// ratio is computed for PPO's clipped objective. The trainer is shared; this
// interface is the only place where PPO, FPO and DPPO differ.
#include <torch/torch.h>

#include <string>

#include "fpo/policy/tensor_map.h"

namespace fpo {

struct ActResult {
  torch::Tensor action;  // [N, act_dim], unclipped (the env clips to [-1, 1])
  TensorMap memory;      // per-sample tensors needed later by log_ratio (first dim N)
};

class Policy : public torch::nn::Module {
 public:
  // obs: [N, obs_dim], already normalised. deterministic: the family's
  // noise-free action (Gaussian mean, flow from zero initial noise).
  // with_memory = false skips computing what log_ratio needs (evaluation).
  virtual ActResult act(const torch::Tensor& obs, bool deterministic, bool with_memory) = 0;

  // Log of pi_new / pi_old for a minibatch of stored (obs, action, memory):
  // [B, S] with S = 1 (one ratio per action), N_mc (per-sample FPO ratios)
  // or K (per denoising step). The objective clips each column alone. The
  // update adds the minibatch's advantages to memory under "advantages".
  virtual torch::Tensor log_ratio(const torch::Tensor& obs, const torch::Tensor& action,
                                  const TensorMap& memory) = 0;

  // Called before each iteration's update while the parameters are still the
  // ones that collected the rollout (for families that need a copy of them).
  virtual void begin_update() {}

  // Mean policy entropy over the batch for an entropy bonus (an estimate for
  // flow policies); an undefined tensor for families that have none (DPPO).
  virtual torch::Tensor entropy(const torch::Tensor& obs) { return {}; }

  // KL(acting policy || current) estimated at a subset of obs [N, D], one
  // value per chosen state [S], for a family whose log_ratio does not give it
  // directly; undefined otherwise.
  virtual torch::Tensor sample_kl(const torch::Tensor& obs) { return {}; }

  // A family's own term added to every minibatch's loss; undefined for none.
  virtual torch::Tensor regulariser(const torch::Tensor& obs) { return {}; }

  virtual std::string family() const = 0;
};

}  // namespace fpo
