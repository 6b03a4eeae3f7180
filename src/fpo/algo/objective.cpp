#include "fpo/algo/objective.h"

#include "fpo/common/error.h"

namespace fpo {

torch::Tensor ppo_clip_loss(const torch::Tensor& log_ratio, const torch::Tensor& advantages, double clip,
                            SurrogateStats* stats, double log_ratio_guard) {
  return surrogate_loss(log_ratio, advantages, clip, TrustRegion::kClip, {}, stats, log_ratio_guard);
}

TrustRegion parse_trust_region(const std::string& name) {
  if (name == "clip") return TrustRegion::kClip;
  if (name == "aspo") return TrustRegion::kAspo;
  if (name == "spo") return TrustRegion::kSpo;
  if (name == "positive") return TrustRegion::kPositive;
  throw Error("train.trust_region = '" + name + "' is not allowed; allowed: clip, aspo, spo, positive");
}

torch::Tensor surrogate_loss(const torch::Tensor& log_ratio, const torch::Tensor& advantages, double clip,
                             TrustRegion trust_region, const torch::Tensor& weights, SurrogateStats* stats,
                             double log_ratio_guard) {
  if (!(log_ratio_guard > 0)) throw Error("log-ratio guard must be > 0, got " + std::to_string(log_ratio_guard));
  auto guarded = log_ratio.clamp(-log_ratio_guard, log_ratio_guard);
  auto ratio = guarded.exp();
  auto adv = advantages.reshape({-1, 1});
  auto unclipped = ratio * adv;
  auto clipped = ratio.clamp(1.0 - clip, 1.0 + clip) * adv;
  torch::Tensor objective = torch::min(unclipped, clipped);  // [B, S]
  if (trust_region == TrustRegion::kPositive) {
    objective = torch::where(adv >= 0, objective, torch::zeros_like(objective));
  } else if (trust_region != TrustRegion::kClip) {
    // SPO: r A - |A| (r - 1)^2 / (2 eps); aspo uses it where A < 0 only.
    auto penalty = unclipped - adv.abs() * (ratio - 1.0).pow(2) / (2.0 * clip);
    objective = trust_region == TrustRegion::kSpo ? penalty : torch::where(adv >= 0, objective, penalty);
  }
  const bool weighted = weights.defined();
  torch::Tensor w, w_sum;
  if (weighted) {
    w = weights.reshape({-1, 1}).to(ratio.dtype());
    w_sum = w.sum().clamp_min(1e-8) * static_cast<double>(ratio.size(1));
  }
  // Mean over rows (weighted) and columns.
  auto reduce = [&](const torch::Tensor& x) { return weighted ? (x * w).sum() / w_sum : x.mean(); };
  auto loss = -reduce(objective);
  if (stats) {
    torch::NoGradGuard no_grad;
    stats->ratio_mean = reduce(ratio);
    stats->ratio_max = ratio.max();
    stats->clip_fraction = reduce(((ratio - 1.0).abs() > clip).to(ratio.dtype()));
    stats->guard_fraction = reduce((log_ratio.abs() > log_ratio_guard).to(ratio.dtype()));
    stats->approx_kl = reduce((ratio - 1.0) - guarded);
  }
  return loss;
}

}  // namespace fpo
