#pragma once
// PPO's clipped surrogate over a log-ratio tensor. It does not know which
// policy family produced the ratio: Gaussian log-probabilities, FPO's CFM-loss
// differences and DPPO's per-step log-likelihoods all arrive as [B, S].
#include <torch/torch.h>

namespace fpo {

struct SurrogateStats {
  torch::Tensor ratio_mean;     // mean of exp(log_ratio)
  torch::Tensor clip_fraction;  // fraction of ratios outside [1 - clip, 1 + clip]
  torch::Tensor approx_kl;      // mean of (r - 1) - log r, a non-negative KL estimate
};

// Loss to minimise: -mean over batch and columns of
// min(r A, clip(r, 1 - clip, 1 + clip) A), with A [B] broadcast over the S columns.
torch::Tensor ppo_clip_loss(const torch::Tensor& log_ratio, const torch::Tensor& advantages, double clip,
                            SurrogateStats* stats = nullptr);

}  // namespace fpo
