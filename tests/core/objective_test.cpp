// PPO's clipped surrogate over a log-ratio tensor, and the FPO ratio that
// feeds it: exactly 1 at the old parameters, with the surrogate's gradient
// there equal to the advantage-weighted CFM-loss gradient.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <string>
#include <vector>

#include "fpo/algo/objective.h"
#include "fpo/policy/flow_policy.h"

namespace fpo {
namespace {

// ---------------------------------------------------------------------------
// ppo_clip_loss with a log-ratio that is a leaf tensor.

// clip e = 0.1. Rows (r, A) and d loss / d log r, where loss = -mean_b min(r A, clip(r) A)
// and d r / d log r = r, so an unclipped row has gradient -A r / B (B = 6):
//   0: r = 1.2,  A = +1   r > 1+e, A > 0: clipped, min = 1.1 (constant)    -> 0
//   1: r = 0.8,  A = +1   r < 1-e, A > 0: min(0.8, 0.9) = 0.8, unclipped   -> -0.8 / 6
//   2: r = 0.8,  A = -1   r < 1-e, A < 0: min(-0.8, -0.9) = -0.9, clipped  -> 0
//   3: r = 1.2,  A = -1   r > 1+e, A < 0: min(-1.2, -1.1) = -1.2, unclipped -> +1.2 / 6
//   4: r = 1.05, A = +2   inside                                           -> -2 * 1.05 / 6
//   5: r = 0.95, A = -3   inside                                           -> +3 * 0.95 / 6
// loss = -(1.1 + 0.8 - 0.9 - 1.2 + 2.1 - 2.85) / 6 = 0.95 / 6
struct ClipCase {
  std::vector<double> r = {1.2, 0.8, 0.8, 1.2, 1.05, 0.95};
  std::vector<double> adv = {1, 1, -1, -1, 2, -3};
  std::vector<double> grad = {0, -0.8 / 6, 0, 1.2 / 6, -2 * 1.05 / 6, 3 * 0.95 / 6};
};

TEST(PpoClipLoss, ClipsOnlyOnTheSideThatHelps) {
  ClipCase c;
  auto log_ratio = torch::tensor(c.r, torch::kFloat64).log().reshape({6, 1}).detach().requires_grad_(true);
  auto adv = torch::tensor(c.adv, torch::kFloat64);
  SurrogateStats stats;
  auto loss = ppo_clip_loss(log_ratio, adv, 0.1, &stats);
  EXPECT_NEAR(loss.item<double>(), 0.95 / 6, 1e-12);
  loss.backward();
  auto g = log_ratio.grad().reshape({-1});
  for (int i = 0; i < 6; ++i) EXPECT_NEAR(g[i].item<double>(), c.grad[i], 1e-12) << "row " << i;

  // Stats: 4 of 6 ratios are outside [0.9, 1.1]; mean ratio (1.2+0.8+0.8+1.2+1.05+0.95)/6 = 1;
  // approx_kl = mean((r - 1) - log r):
  //   r = 1.2: 0.2 - 0.1823215568 = 0.0176784432   r = 0.8:  -0.2 + 0.2231435513 = 0.0231435513
  //   r = 1.05: 0.05 - 0.0487901642 = 0.0012098358  r = 0.95: -0.05 + 0.0512932944 = 0.0012932944
  //   sum = 2 * 0.0176784432 + 2 * 0.0231435513 + 0.0012098358 + 0.0012932944 = 0.0841471192
  EXPECT_NEAR(stats.clip_fraction.item<double>(), 4.0 / 6.0, 1e-12);
  EXPECT_NEAR(stats.ratio_mean.item<double>(), 1.0, 1e-12);
  EXPECT_NEAR(stats.approx_kl.item<double>(), 0.0841471192 / 6, 1e-9);
  EXPECT_FALSE(stats.ratio_mean.requires_grad());
}

TEST(PpoClipLoss, EachColumnIsClippedAlone) {
  // One action, S = 3 ratios (e.g. per-sample FPO): r = (1.2, 1.0, 0.5), A = +2, e = 0.1.
  // Column 0 is clipped (zero gradient); 1 and 2 are not: d/d log r = -A r / (B S).
  auto log_ratio = torch::tensor({{std::log(1.2), 0.0, std::log(0.5)}}, torch::kFloat64).requires_grad_(true);
  auto loss = ppo_clip_loss(log_ratio, torch::tensor({2.0}, torch::kFloat64), 0.1);
  // loss = -(1.1 * 2 + 1.0 * 2 + 0.5 * 2) / 3 = -5.2 / 3
  EXPECT_NEAR(loss.item<double>(), -5.2 / 3, 1e-12);
  loss.backward();
  auto g = log_ratio.grad();
  EXPECT_EQ(g[0][0].item<double>(), 0.0);
  EXPECT_NEAR(g[0][1].item<double>(), -2.0 / 3, 1e-12);
  EXPECT_NEAR(g[0][2].item<double>(), -2.0 * 0.5 / 3, 1e-12);
}

TEST(PpoClipLoss, StatsAtRatioOneAreTrivial) {
  auto log_ratio = torch::zeros({4, 2}, torch::kFloat64);
  SurrogateStats stats;
  auto adv = torch::tensor({1.0, -2.0, 0.5, 3.0}, torch::kFloat64);
  auto loss = ppo_clip_loss(log_ratio, adv, 0.05, &stats);
  EXPECT_NEAR(loss.item<double>(), -adv.mean().item<double>(), 1e-12);
  EXPECT_EQ(stats.clip_fraction.item<double>(), 0.0);
  EXPECT_EQ(stats.ratio_mean.item<double>(), 1.0);
  EXPECT_EQ(stats.approx_kl.item<double>(), 0.0);
}

TEST(PpoClipLoss, ApproxKlIsNonNegative) {
  torch::manual_seed(2);
  SurrogateStats stats;
  for (int i = 0; i < 5; ++i) {
    auto log_ratio = torch::randn({64, 3}, torch::kFloat64) * (0.1 * (i + 1));
    ppo_clip_loss(log_ratio, torch::randn({64}, torch::kFloat64), 0.2, &stats);
    EXPECT_GE(stats.approx_kl.item<double>(), 0.0);
    EXPECT_GT(stats.clip_fraction.item<double>(), 0.0);
    EXPECT_LE(stats.clip_fraction.item<double>(), 1.0);
  }
}

// ---------------------------------------------------------------------------
// The FPO ratio.

struct OldPolicyBatch {
  torch::Tensor obs;
  ActResult act;
};

OldPolicyBatch act_with_memory(FlowPolicy& policy, int64_t batch) {
  torch::manual_seed(21);
  OldPolicyBatch b;
  b.obs = torch::randn({batch, 3});
  torch::NoGradGuard no_grad;
  b.act = policy.act(b.obs, /*deterministic=*/false, /*with_memory=*/true);
  return b;
}

std::vector<torch::Tensor> grads_of(FlowPolicy& policy, const torch::Tensor& loss) {
  policy.zero_grad();
  loss.backward();
  std::vector<torch::Tensor> out;
  for (auto& p : policy.parameters()) {
    out.push_back(p.grad().defined() ? p.grad().clone() : torch::zeros_like(p));
  }
  policy.zero_grad();
  return out;
}

class FpoRatio : public ::testing::TestWithParam<std::string> {};

TEST_P(FpoRatio, IsExactlyOneAtTheOldParameters) {
  FlowPolicyConfig c;
  c.hidden = "16,16";
  c.n_mc = 4;
  c.ratio = GetParam();
  torch::manual_seed(1);
  FlowPolicy policy(3, 2, c);
  auto b = act_with_memory(policy, 6);
  auto log_ratio = policy.log_ratio(b.obs, b.act.action, b.act.memory);
  const int64_t s = c.ratio == "mean" ? 1 : c.n_mc;
  ASSERT_EQ(log_ratio.sizes(), (std::vector<int64_t>{6, s}));
  EXPECT_TRUE(torch::equal(log_ratio, torch::zeros_like(log_ratio))) << log_ratio;
  EXPECT_TRUE(log_ratio.requires_grad());
  EXPECT_GT(b.act.memory.at("cfm_loss").abs().sum().item<double>(), 0.0);
}

TEST_P(FpoRatio, SurrogateGradientAtOldParamsIsAdvantageWeightedCfmGradient) {
  // At r = 1 (inside the clip range), d/dtheta [-mean_{b,i} min(r A, clip(r) A)]
  // = -mean_{b,i} A_b dr/dtheta, and dr/dtheta = -r d l_new/dtheta (r = exp(l_old - l_new),
  // averaged over i first for ratio = mean). Either way the gradient equals
  // d/dtheta mean_b A_b mean_i l_new_{b,i}.
  FlowPolicyConfig c;
  c.hidden = "16,16";
  c.n_mc = 4;
  c.ratio = GetParam();
  for (const std::string loss_name : {"eps", "u"}) {
    c.loss = loss_name;
    torch::manual_seed(1);
    FlowPolicy policy(3, 2, c);
    auto b = act_with_memory(policy, 6);
    auto adv = torch::tensor({1.0f, -2.0f, 0.5f, 3.0f, -0.7f, 0.1f});

    auto surrogate = ppo_clip_loss(policy.log_ratio(b.obs, b.act.action, b.act.memory), adv, 0.05);
    auto g_surrogate = grads_of(policy, surrogate);

    auto l_new = policy.cfm_loss(b.obs, b.act.action, b.act.memory.at("cfm_t"), b.act.memory.at("cfm_eps"));
    auto reference = (adv.reshape({-1, 1}) * l_new.mean(1, /*keepdim=*/true)).mean();
    auto g_reference = grads_of(policy, reference);

    ASSERT_EQ(g_surrogate.size(), g_reference.size());
    double total = 0;
    for (size_t k = 0; k < g_surrogate.size(); ++k) {
      EXPECT_TRUE(torch::allclose(g_surrogate[k], g_reference[k], 1e-4, 1e-7))
          << "loss " << loss_name << ", parameter " << k << "\n"
          << g_surrogate[k] << "\n"
          << g_reference[k];
      total += g_reference[k].abs().sum().item<double>();
    }
    EXPECT_GT(total, 1e-6) << "the reference gradient is zero: the check would be vacuous";
  }
}

TEST_P(FpoRatio, LowerCfmLossMeansHigherRatio) {
  // Stored old losses raised by delta: log r = +delta (mean) or +delta per pair.
  FlowPolicyConfig c;
  c.hidden = "16,16";
  c.n_mc = 3;
  c.ratio = GetParam();
  torch::manual_seed(1);
  FlowPolicy policy(3, 2, c);
  auto b = act_with_memory(policy, 4);
  auto memory = b.act.memory;
  memory["cfm_loss"] = memory["cfm_loss"] + torch::tensor({0.5f, 0.0f, -0.25f}).reshape({1, 3});
  auto log_ratio = policy.log_ratio(b.obs, b.act.action, memory);
  if (c.ratio == "mean") {
    // mean over pairs of (0.5, 0, -0.25) = 0.08333
    EXPECT_TRUE(torch::allclose(log_ratio, torch::full({4, 1}, 0.25f / 3), 1e-5, 1e-6)) << log_ratio;
  } else {
    EXPECT_TRUE(torch::allclose(log_ratio, torch::tensor({0.5f, 0.0f, -0.25f}).expand({4, 3}), 1e-5, 1e-6))
        << log_ratio;
  }
}

INSTANTIATE_TEST_SUITE_P(RatioModes, FpoRatio, ::testing::Values("mean", "per_sample"));

TEST(FpoRatioClamps, DiffAndLossClampsApply) {
  FlowPolicyConfig c;
  c.hidden = "16,16";
  c.n_mc = 2;
  c.ratio = "per_sample";
  c.diff_clamp = 0.1;
  torch::manual_seed(1);
  FlowPolicy policy(3, 2, c);
  auto b = act_with_memory(policy, 3);
  auto memory = b.act.memory;
  memory["cfm_loss"] = memory["cfm_loss"] + torch::tensor({5.0f, -5.0f}).reshape({1, 2});
  auto log_ratio = policy.log_ratio(b.obs, b.act.action, memory);
  EXPECT_TRUE(torch::allclose(log_ratio, torch::tensor({0.1f, -0.1f}).expand({3, 2}))) << log_ratio;

  // loss_clamp: both stored and new losses are capped, so two huge stored losses
  // and a new loss above the cap give log r = cap - cap = 0.
  c.diff_clamp = 0;
  c.loss_clamp = 1e-6;
  torch::manual_seed(1);
  FlowPolicy capped(3, 2, c);
  auto b2 = act_with_memory(capped, 3);
  auto memory2 = b2.act.memory;
  memory2["cfm_loss"] = memory2["cfm_loss"] + 100.0f;
  auto lr2 = capped.log_ratio(b2.obs, b2.act.action, memory2);
  EXPECT_TRUE(torch::allclose(lr2, torch::zeros_like(lr2), 0, 1e-6)) << lr2;
}

}  // namespace
}  // namespace fpo
