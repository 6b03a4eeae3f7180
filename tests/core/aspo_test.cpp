// FPO++'s asymmetric trust region (train.trust_region = aspo): the PPO clip
// term where A >= 0, the SPO penalty r A - |A| (r - 1)^2 / (2 e) where A < 0.
// Gradients are checked against hand-derived values with respect to r
// (log_ratio is a leaf; d r / d log r = r, so d loss / d log r = -obj'(r) r / N).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <vector>

#include "fpo/algo/objective.h"
#include "fpo/common/error.h"

namespace fpo {
namespace {

struct Result {
  double loss;
  std::vector<double> grad_r;  // d objective / d r per row (objective = -loss * N)
};

// Runs the surrogate on one column of ratios; returns the loss and, per row,
// d objective_i / d r_i recovered from d loss / d log r_i = -(1/N) obj'(r_i) r_i.
Result run(const std::vector<double>& r, const std::vector<double>& adv, double clip, TrustRegion tr,
           const torch::Tensor& weights = {}, SurrogateStats* stats = nullptr) {
  const auto n = static_cast<int64_t>(r.size());
  auto log_ratio = torch::tensor(r, torch::kFloat64).log().reshape({n, 1}).detach().requires_grad_(true);
  auto loss = surrogate_loss(log_ratio, torch::tensor(adv, torch::kFloat64), clip, tr, weights, stats);
  loss.backward();
  Result out;
  out.loss = loss.item<double>();
  auto g = log_ratio.grad().reshape({-1});
  for (int64_t i = 0; i < n; ++i) out.grad_r.push_back(-g[i].item<double>() * static_cast<double>(n) / r[i]);
  return out;
}

TEST(Aspo, NegativeAdvantageFollowsTheSpoPenaltyGradient) {
  // e = 0.1, A = -2: obj = r A - |A| (r - 1)^2 / (2 e); obj'(r) = A - |A| (r - 1) / e.
  //   r = 1:   -2                          (same as PPO inside the region)
  //   r = 1.2: -2 - 2 * 0.2 / 0.1  = -6    (PPO: -2 unclipped; the penalty pushes harder)
  //   r = 0.8: -2 - 2 * (-0.2) / 0.1 = +2  (PPO: clipped, 0; the penalty pulls r back up)
  //   r = 0.9: -2 + 2 = 0                  (the penalty objective's maximum, r = 1 - e)
  const double e = 0.1;
  auto res = run({1.0, 1.2, 0.8, 0.9}, {-2, -2, -2, -2}, e, TrustRegion::kAspo);
  EXPECT_NEAR(res.grad_r[0], -2.0, 1e-9);
  EXPECT_NEAR(res.grad_r[1], -6.0, 1e-9);
  EXPECT_NEAR(res.grad_r[2], 2.0, 1e-9);
  EXPECT_NEAR(res.grad_r[3], 0.0, 1e-9);
  // loss = -mean(obj): obj = -2, -2.4 - 0.4, -1.6 - 0.4, -1.8 - 0.1 -> sum -8.7.
  EXPECT_NEAR(res.loss, 8.7 / 4, 1e-12);

  // The same rows under PPO clip: -2 (inside), -2 (r > 1 + e, A < 0: unclipped), 0 (clipped), -2 (at the edge).
  auto clip = run({1.0, 1.2, 0.8, 0.95}, {-2, -2, -2, -2}, e, TrustRegion::kClip);
  EXPECT_NEAR(clip.grad_r[0], -2.0, 1e-9);
  EXPECT_NEAR(clip.grad_r[1], -2.0, 1e-9);
  EXPECT_NEAR(clip.grad_r[2], 0.0, 1e-9);
  EXPECT_NEAR(clip.grad_r[3], -2.0, 1e-9);
}

TEST(Aspo, PositiveAdvantageIsThePpoClip) {
  // e = 0.1, A = +3: obj = min(r A, clip(r) A).
  //   r = 1:   3 (inside)   r = 1.2: 0 (clipped above)   r = 0.8: 3 (below, unclipped side)
  const double e = 0.1;
  auto aspo = run({1.0, 1.2, 0.8}, {3, 3, 3}, e, TrustRegion::kAspo);
  auto clip = run({1.0, 1.2, 0.8}, {3, 3, 3}, e, TrustRegion::kClip);
  const std::vector<double> expected = {3.0, 0.0, 3.0};
  for (int i = 0; i < 3; ++i) {
    EXPECT_NEAR(aspo.grad_r[i], expected[i], 1e-9) << "row " << i;
    EXPECT_NEAR(clip.grad_r[i], expected[i], 1e-9) << "row " << i;
  }
  // loss = -(3 + 3.3 + 2.4) / 3 for both.
  EXPECT_NEAR(aspo.loss, -8.7 / 3, 1e-12);
  EXPECT_NEAR(clip.loss, -8.7 / 3, 1e-12);
}

TEST(Aspo, PositiveModeDropsTheNegativeRows) {
  // e = 0.1: rows (r, A): (1.2, +1) clipped -> 0; (0.8, +1) -> 1; (0.8, -1) and
  // (1.2, -1) -> nothing; the mean still divides by all 4 rows.
  auto res = run({1.2, 0.8, 0.8, 1.2}, {1, 1, -1, -1}, 0.1, TrustRegion::kPositive);
  const std::vector<double> expected = {0.0, 1.0, 0.0, 0.0};
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(res.grad_r[i], expected[i], 1e-9) << "row " << i;
  EXPECT_NEAR(res.loss, -(1.1 + 0.8) / 4, 1e-12);  // min(1.2, 1.1) and min(0.8, 0.8)
  EXPECT_EQ(parse_trust_region("positive"), TrustRegion::kPositive);
}

TEST(Aspo, MixedBatchTreatsEachRowByItsSign) {
  // e = 0.1: rows (r, A): (1.2, +1) clipped -> 0; (1.2, -1) penalty -> -1 - 0.2/0.1 = -3;
  // (0.8, +1) unclipped side -> 1; (0.8, -1) penalty -> -1 + 0.2/0.1 = +1; A = 0 -> 0.
  auto res = run({1.2, 1.2, 0.8, 0.8, 1.0}, {1, -1, 1, -1, 0}, 0.1, TrustRegion::kAspo);
  const std::vector<double> expected = {0.0, -3.0, 1.0, 1.0, 0.0};
  for (int i = 0; i < 5; ++i) EXPECT_NEAR(res.grad_r[i], expected[i], 1e-9) << "row " << i;
}

TEST(Aspo, PerSampleColumnsAreEachPenalisedAlone) {
  // One action with S = 2 ratios (1.2, 0.8), A = -1, e = 0.1: obj' = -3 and +1;
  // d loss / d log r_s = -obj'(r_s) r_s / S.
  auto log_ratio = torch::tensor({{std::log(1.2), std::log(0.8)}}, torch::kFloat64).requires_grad_(true);
  auto loss = surrogate_loss(log_ratio, torch::tensor({-1.0}, torch::kFloat64), 0.1, TrustRegion::kAspo);
  loss.backward();
  EXPECT_NEAR(log_ratio.grad()[0][0].item<double>(), 3.0 * 1.2 / 2, 1e-9);
  EXPECT_NEAR(log_ratio.grad()[0][1].item<double>(), -1.0 * 0.8 / 2, 1e-9);
}

TEST(Aspo, StatsCountTrustRegionExitsAndHonourWeights) {
  // Rows r = (1.2, 1.0, 0.8, 1.5) with A = (1, -1, -1, 1), e = 0.1, weights (1, 1, 1, 0):
  // the last row is masked out. Outside [0.9, 1.1]: rows 0 and 2 of the 3 weighted.
  SurrogateStats stats;
  auto w = torch::tensor({1.0, 1.0, 1.0, 0.0}, torch::kFloat64);
  auto res = run({1.2, 1.0, 0.8, 1.5}, {1, -1, -1, 1}, 0.1, TrustRegion::kAspo, w, &stats);
  EXPECT_NEAR(stats.clip_fraction.item<double>(), 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(stats.ratio_mean.item<double>(), 1.0, 1e-12);
  // The masked row has no gradient; the others are scaled by the weighted count 3
  // (run() rescales by N = 4, so read them back as 4/3 of obj').
  EXPECT_NEAR(res.grad_r[3], 0.0, 1e-12);
  EXPECT_NEAR(res.grad_r[0] * 3.0 / 4.0, 0.0, 1e-9);             // clipped
  EXPECT_NEAR(res.grad_r[1] * 3.0 / 4.0, -1.0, 1e-9);            // A at r = 1
  EXPECT_NEAR(res.grad_r[2] * 3.0 / 4.0, -1.0 + 0.2 / 0.1, 1e-9);  // penalty pulls up: +1
  // loss = -(1.1 + (-1) + (-0.8 - 0.04 / 0.2)) / 3 = 0.9 / 3
  EXPECT_NEAR(res.loss, 0.9 / 3, 1e-12);
}

TEST(Aspo, ClipModeWithoutWeightsIsPpoClipLoss) {
  auto lr = torch::tensor({{0.3, -0.1}, {0.02, -0.4}, {0.0, 0.1}}, torch::kFloat64);
  auto adv = torch::tensor({1.5, -0.5, -2.0}, torch::kFloat64);
  auto a = ppo_clip_loss(lr, adv, 0.2);
  auto b = surrogate_loss(lr, adv, 0.2, TrustRegion::kClip);
  EXPECT_EQ(a.item<double>(), b.item<double>());
  // All-ones weights give the same value as no weights.
  auto c = surrogate_loss(lr, adv, 0.2, TrustRegion::kAspo, torch::ones({3}, torch::kFloat64));
  auto d = surrogate_loss(lr, adv, 0.2, TrustRegion::kAspo);
  EXPECT_NEAR(c.item<double>(), d.item<double>(), 1e-12);
  EXPECT_NE(a.item<double>(), d.item<double>());  // rows with A < 0 outside the region differ
}

TEST(Spo, BothSignsFollowThePenaltyGradient) {
  // e = 0.1, A = +2: obj'(r) = A - |A| (r - 1) / e: r = 1: +2; r = 1.1: 0 (the
  // maximum, at the region's edge); r = 1.3: 2 - 6 = -4 (PPO clip: 0, nothing
  // pulls r back); r = 0.8: 2 + 4 = +6. A < 0 as for aspo.
  auto pos = run({1.0, 1.1, 1.3, 0.8}, {2, 2, 2, 2}, 0.1, TrustRegion::kSpo);
  EXPECT_NEAR(pos.grad_r[0], 2.0, 1e-9);
  EXPECT_NEAR(pos.grad_r[1], 0.0, 1e-9);
  EXPECT_NEAR(pos.grad_r[2], -4.0, 1e-9);
  EXPECT_NEAR(pos.grad_r[3], 6.0, 1e-9);
  auto neg = run({1.2, 0.8}, {-2, -2}, 0.1, TrustRegion::kSpo);
  EXPECT_NEAR(neg.grad_r[0], -6.0, 1e-9);
  EXPECT_NEAR(neg.grad_r[1], 2.0, 1e-9);
  // obj = 2.6 - 2 * 0.09 / 0.2 = 1.7 at r = 1.3, A = 2.
  auto one = run({1.3}, {2}, 0.1, TrustRegion::kSpo);
  EXPECT_NEAR(one.loss, -1.7, 1e-12);
}

TEST(Aspo, ParsesNames) {
  EXPECT_EQ(parse_trust_region("clip"), TrustRegion::kClip);
  EXPECT_EQ(parse_trust_region("aspo"), TrustRegion::kAspo);
  EXPECT_EQ(parse_trust_region("spo"), TrustRegion::kSpo);
  EXPECT_THROW(parse_trust_region("ppo"), Error);
}

}  // namespace
}  // namespace fpo
