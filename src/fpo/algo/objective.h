#pragma once
// PPO's clipped surrogate over a log-ratio tensor. It does not know which
// policy family produced the ratio: Gaussian log-probabilities, FPO's CFM-loss
// differences and DPPO's per-step log-likelihoods all arrive as [B, S].
#include <torch/torch.h>

#include <string>

namespace fpo {

struct SurrogateStats {
  torch::Tensor ratio_mean;     // mean of exp(log_ratio)
  torch::Tensor ratio_max;      // largest ratio (after the guard below)
  torch::Tensor clip_fraction;  // fraction of ratios outside [1 - clip, 1 + clip]
  torch::Tensor guard_fraction; // fraction of log-ratios the guard clamped
  torch::Tensor approx_kl;      // mean of (r - 1) - log r, a non-negative KL estimate
};

// The overflow guard every surrogate applies: log-ratios are clamped to
// [-c, c] before exp (gradient 0 outside), so r <= e^c and r A stays finite
// whatever the policy does. 3 is the FPO authors' GridWorld clamp; a sample
// that far out (r > 20) is far outside any trust region in use.
constexpr double kDefaultLogRatioGuard = 3.0;

// Loss to minimise: -mean over batch and columns of
// min(r A, clip(r, 1 - clip, 1 + clip) A), with A [B] broadcast over the S columns.
torch::Tensor ppo_clip_loss(const torch::Tensor& log_ratio, const torch::Tensor& advantages, double clip,
                            SurrogateStats* stats = nullptr, double log_ratio_guard = kDefaultLogRatioGuard);

// The trust region the surrogate enforces.
//   clip: PPO's clipped surrogate for every sample.
//   aspo: FPO++'s asymmetric trust region: the PPO clip term where A >= 0, and
//         where A < 0 the SPO penalty objective r A - |A| (r - 1)^2 / (2 clip),
//         whose gradient A - |A| (r - 1) / clip pulls r back towards 1 - clip
//         instead of vanishing outside the region.
//   spo:  the SPO penalty objective for every sample (Xie et al., Simple
//         Policy Optimization): its maximum over r is at the region's edge
//         1 + clip sign(A), and a ratio past the edge is pulled back.
//   positive: the PPO clip term where A >= 0 and nothing where A < 0 (those
//         rows still count in the mean); a diagnostic of what the negative
//         side does to a flow policy (docs/stability.md section 15).
enum class TrustRegion { kClip, kAspo, kSpo, kPositive };
TrustRegion parse_trust_region(const std::string& name);  // clip | aspo | spo | positive; throws fpo::Error

// The general surrogate loss: -weighted mean over rows (and mean over the S
// columns) of the per-element objective of `trust_region`. weights [B]
// (optional; undefined = all 1) weigh each row, e.g. a 0/1 mask that drops
// steps after an episode ended; the mean divides by their sum.
// Stats use the same weights; clip_fraction is the (weighted) fraction of
// ratios outside [1 - clip, 1 + clip] in both modes: for aspo it measures how
// often the trust region is left (clipped for A >= 0, penalised for A < 0).
// With trust_region = clip and no weights this is exactly ppo_clip_loss.
torch::Tensor surrogate_loss(const torch::Tensor& log_ratio, const torch::Tensor& advantages, double clip,
                             TrustRegion trust_region, const torch::Tensor& weights = {},
                             SurrogateStats* stats = nullptr, double log_ratio_guard = kDefaultLogRatioGuard);

}  // namespace fpo
