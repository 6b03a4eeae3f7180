#include "fpo/algo/objective.h"

namespace fpo {

torch::Tensor ppo_clip_loss(const torch::Tensor& log_ratio, const torch::Tensor& advantages, double clip,
                            SurrogateStats* stats) {
  auto ratio = log_ratio.exp();
  auto adv = advantages.reshape({-1, 1});
  auto unclipped = ratio * adv;
  auto clipped = ratio.clamp(1.0 - clip, 1.0 + clip) * adv;
  auto loss = -torch::min(unclipped, clipped).mean();
  if (stats) {
    torch::NoGradGuard no_grad;
    stats->ratio_mean = ratio.mean();
    stats->clip_fraction = ((ratio - 1.0).abs() > clip).to(ratio.dtype()).mean();
    stats->approx_kl = ((ratio - 1.0) - log_ratio).mean();
  }
  return loss;
}

}  // namespace fpo
