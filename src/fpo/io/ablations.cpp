#include "fpo/io/ablations.h"

namespace fpo {

const std::vector<Ablation>& ablation_grid() {
  // The defaults (8 MC pairs, eps-MSE, clip 0.05) are the paper's FPO row:
  // 759.3 in n_mc_8, eps_mse and clip_0.05 alike.
  static const std::vector<Ablation> grid = {
      {"n_mc_1", "1 (t, eps) pair per action", {"flow.n_mc=1"}, 691.6},
      {"n_mc_4", "4 (t, eps) pairs per action", {"flow.n_mc=4"}, 731.2},
      {"n_mc_8", "8 (t, eps) pairs per action (default)", {"flow.n_mc=8"}, 759.3},
      {"u_mse", "u-MSE CFM loss (velocity target)", {"flow.loss=u"}, 664.6},
      {"eps_mse", "eps-MSE CFM loss (default)", {"flow.loss=eps"}, 759.3},
      {"clip_0.05", "PPO clip 0.05 (default)", {"train.clip=0.05"}, 759.3},
      {"clip_0.1", "PPO clip 0.1", {"train.clip=0.1"}, 623.3},
      {"clip_0.2", "PPO clip 0.2", {"train.clip=0.2"}, 526.4},
  };
  return grid;
}

}  // namespace fpo
