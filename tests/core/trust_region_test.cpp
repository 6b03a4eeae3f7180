// The overflow guard on log-ratios, and the KL-proxy mechanisms that keep the
// trust region honest: the adaptive learning rate, early stopping and the
// rollback of an iteration that left the region.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "fpo/algo/objective.h"
#include "fpo/algo/trainer.h"
#include "fpo/env/registry.h"

namespace fpo {
namespace {

TEST(LogRatioGuard, ClampsBeforeExpAndStopsTheGradientOutside) {
  // log r = (50, -50, 0.5, 1000): the first two and the last are clamped to +-3.
  auto log_ratio = torch::tensor({{50.0}, {-50.0}, {0.5}, {1000.0}}, torch::kFloat64).requires_grad_(true);
  auto adv = torch::tensor({-1.0, 1.0, -2.0, -1.0}, torch::kFloat64);
  SurrogateStats stats;
  auto loss = ppo_clip_loss(log_ratio, adv, 0.2, &stats, 3.0);
  // Row 0: r = e^3, A = -1: min(-e^3, -1.2) = -e^3.  Row 1: r = e^-3, A = +1: min(e^-3, 0.8) = e^-3.
  // Row 2: r = e^0.5, A = -2: min(-2 e^0.5, -2.4) = -2 e^0.5.  Row 3 as row 0.
  const double expected = -(-std::exp(3.0) + std::exp(-3.0) - 2 * std::exp(0.5) - std::exp(3.0)) / 4;
  EXPECT_NEAR(loss.item<double>(), expected, 1e-9);
  EXPECT_TRUE(std::isfinite(loss.item<double>()));
  loss.backward();
  auto g = log_ratio.grad().reshape({-1});
  EXPECT_EQ(g[0].item<double>(), 0.0);
  EXPECT_EQ(g[1].item<double>(), 0.0);
  EXPECT_NEAR(g[2].item<double>(), 2 * std::exp(0.5) / 4, 1e-12);  // d/dlog r of -(r A)/4 = -A r / 4
  EXPECT_EQ(g[3].item<double>(), 0.0);
  EXPECT_NEAR(stats.guard_fraction.item<double>(), 0.75, 1e-12);
  EXPECT_NEAR(stats.ratio_max.item<double>(), std::exp(3.0), 1e-9);
}

TEST(LogRatioGuard, FloatOverflowCannotHappen) {
  // Without the guard exp(200) is inf in float32 and the loss would be inf.
  auto log_ratio = torch::full({8, 3}, 200.0f).requires_grad_(true);
  auto loss = surrogate_loss(log_ratio, -torch::ones({8}), 0.05, TrustRegion::kAspo);
  EXPECT_TRUE(std::isfinite(loss.item<float>()));
  loss.backward();
  EXPECT_TRUE(torch::isfinite(log_ratio.grad()).all().item<bool>());
}

TrainConfig small_fpo() {
  TrainConfig c;
  c.env = "gridworld:two_walls";
  c.algo = "fpo";
  c.num_envs = 16;
  c.unroll = 16;
  c.epochs = 4;
  c.minibatches = 4;
  c.threads = 1;
  c.lr = 1e-3;
  c.reward_scale = 1;
  c.value_hidden = "16,16";
  c.flow.hidden = "16,16";
  c.flow.n_mc = 4;
  c.flow.steps = 4;
  c.steps = 100000;
  return c;
}

TEST(KlTarget, DefaultsToHalfTheClipSquared) {
  TrainConfig c;
  c.clip = 0.2;
  EXPECT_DOUBLE_EQ(kl_target(c), 0.02);
  c.clip = 0.05;
  EXPECT_DOUBLE_EQ(kl_target(c), 0.00125);
  c.target_kl = 0.003;
  EXPECT_DOUBLE_EQ(kl_target(c), 0.003);
}

double policy_lr(Trainer& t) {
  return static_cast<torch::optim::AdamOptions&>(t.optimizer().param_groups()[0].options()).lr();
}

TEST(AdaptiveLr, FallsWhenTheDriftExceedsTheTargetAndRisesWhenBelow) {
  TrainConfig c = small_fpo();
  c.lr_schedule = "adaptive";
  c.target_kl = 1e-9;  // every iteration drifts more than this: the lr falls by 1.5 each time
  c.adaptive_lr_min = 5e-4;
  Trainer falling(c, EnvRegistry::global().make(c.env));
  auto row = falling.iterate();
  EXPECT_DOUBLE_EQ(metric(row, "lr"), 1e-3 / 1.5);
  falling.iterate();
  EXPECT_DOUBLE_EQ(policy_lr(falling), 5e-4);  // 1e-3 / 2.25 is below the floor
  // The critic keeps its own rate.
  EXPECT_DOUBLE_EQ(static_cast<torch::optim::AdamOptions&>(falling.optimizer().param_groups()[1].options()).lr(), 1e-3);

  c.target_kl = 10.0;  // nothing drifts this far: the lr rises to its bound
  c.adaptive_lr_max = 2e-3;
  Trainer rising(c, EnvRegistry::global().make(c.env));
  rising.iterate();
  EXPECT_DOUBLE_EQ(policy_lr(rising), 1.5e-3);
  rising.iterate();
  EXPECT_DOUBLE_EQ(policy_lr(rising), 2e-3);
}

TEST(AdaptiveLr, SamplesMedianSteersByTheMedianOfThePerStateDrift) {
  TrainConfig c = small_fpo();
  c.lr_schedule = "adaptive";
  c.kl_measure = "samples_median";
  c.target_kl = 10.0;
  Trainer probe(c, EnvRegistry::global().make(c.env));
  const auto row = probe.iterate();
  const double median = metric(row, "sample_kl_median"), mean = metric(row, "sample_kl");
  ASSERT_NE(median, mean);
  // A target with the midpoint of the two at half of it: the smaller of the two
  // reads calm (the lr rises), the larger reads in band (the lr holds).
  c.target_kl = median + mean;
  const double rise = 1.5 * c.lr;
  Trainer by_median(c, EnvRegistry::global().make(c.env));
  by_median.iterate();
  EXPECT_DOUBLE_EQ(policy_lr(by_median), median < mean ? rise : c.lr);
  c.kl_measure = "samples";
  Trainer by_mean(c, EnvRegistry::global().make(c.env));
  const auto mean_row = by_mean.iterate();
  EXPECT_DOUBLE_EQ(policy_lr(by_mean), mean < median ? rise : c.lr);
  EXPECT_DOUBLE_EQ(metric(mean_row, "sample_kl"), mean);  // the same iteration
}

TEST(AdaptiveLr, MaxBrakesOnWhicheverOfTheProxyAndTheSamplesReadsHigher) {
  // The rule is monotone in the drift, so steering by the larger of the two
  // gives the smaller of the two lrs, at every target.
  int differ = 0;
  for (double target : {1e-6, 1e-4, 1e-3, 1e-2, 1.0}) {
    double lr[3];
    const char* measures[3] = {"proxy", "samples_median", "max"};
    for (int i = 0; i < 3; ++i) {
      TrainConfig c = small_fpo();
      c.lr_schedule = "adaptive";
      c.target_kl = target;
      c.kl_measure = measures[i];
      if (c.kl_measure == "max") c.kl_proxy_slack = 1.0;  // the proxy against the target itself
      Trainer trainer(c, EnvRegistry::global().make(c.env));
      trainer.iterate();
      lr[i] = policy_lr(trainer);
    }
    EXPECT_DOUBLE_EQ(lr[2], std::min(lr[0], lr[1])) << "target " << target;
    differ += lr[0] != lr[1];
  }
  EXPECT_GT(differ, 0);  // some target tells the two measures apart
}

TEST(AdaptiveLr, MaxHoldsTheProxyToItsSlackTimesTheTarget) {
  TrainConfig c;
  c.kl_measure = "max";
  c.kl_proxy_slack = 4.0;
  EXPECT_DOUBLE_EQ(steering_drift(c, 8e-3, 1e-3), 2e-3);  // the proxy, over its slack, reads higher
  EXPECT_DOUBLE_EQ(steering_drift(c, 2e-3, 1e-3), 1e-3);  // above the samples, but not after the slack
  c.kl_proxy_slack = 1.0;
  EXPECT_DOUBLE_EQ(steering_drift(c, 2e-3, 1e-3), 2e-3);
  c.kl_measure = "proxy";
  EXPECT_DOUBLE_EQ(steering_drift(c, 2e-3, 5.0), 2e-3);
  c.kl_measure = "samples_median";
  EXPECT_DOUBLE_EQ(steering_drift(c, 2e-3, 5.0), 5.0);
}

TEST(KlStop, EndsTheIterationOnceTheKlProxyPassesTheTarget) {
  TrainConfig c = small_fpo();
  Trainer full(c, EnvRegistry::global().make(c.env));
  EXPECT_EQ(metric(full.iterate(), "updates"), 16.0);  // 4 epochs x 4 minibatches
  c.kl_stop = 1.5;
  c.target_kl = 1e-9;
  Trainer stopped(c, EnvRegistry::global().make(c.env));
  auto row = stopped.iterate();
  // The first minibatch sees the rollout's own parameters (KL 0) and is stepped; a later one stops the loop.
  EXPECT_GE(metric(row, "updates"), 1.0);
  EXPECT_LT(metric(row, "updates"), 16.0);
  EXPECT_TRUE(std::isfinite(metric(row, "policy_loss")));
}

TEST(KlStop, AnEarlyStopBrakesTheAdaptiveLr) {
  // The minibatch that stops the loop drifted past kl_stop x target > 2 x
  // target, so the adaptive lr must fall even if the steps before it were calm.
  TrainConfig c = small_fpo();
  c.lr_schedule = "adaptive";
  c.kl_stop = 3.0;
  c.target_kl = 1e-9;
  Trainer trainer(c, EnvRegistry::global().make(c.env));
  auto row = trainer.iterate();
  EXPECT_LT(metric(row, "updates"), 16.0);
  EXPECT_DOUBLE_EQ(policy_lr(trainer), std::max(c.lr / 1.5, c.adaptive_lr_min));
}

std::vector<torch::Tensor> copies(const std::vector<torch::Tensor>& params) {
  std::vector<torch::Tensor> out;
  for (const auto& p : params) out.push_back(p.detach().clone());
  return out;
}

bool all_equal(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  for (size_t i = 0; i < a.size(); ++i) {
    if (!torch::equal(a[i], b[i])) return false;
  }
  return true;
}

TEST(KlRollback, UndoesThePolicyUpdateThatLeftTheRegionAndKeepsTheCritics) {
  TrainConfig c = small_fpo();
  c.lr_schedule = "adaptive";  // kl_rollback needs it
  c.kl_rollback = 2.0;
  c.target_kl = 10.0;  // nothing drifts this far: every iteration stands
  Trainer calm(c, EnvRegistry::global().make(c.env));
  const auto calm_start = copies(calm.agent().policy->parameters());
  auto row = calm.iterate();
  EXPECT_EQ(metric(row, "rolled_back"), 0.0);
  EXPECT_FALSE(all_equal(calm_start, copies(calm.agent().policy->parameters())));

  c.target_kl = 1e-9;  // every iteration drifts past 2 x this: every one is undone
  Trainer undone(c, EnvRegistry::global().make(c.env));
  auto& state = undone.optimizer().state();
  auto policy_start = copies(undone.agent().policy->parameters());
  const auto value_start = copies(undone.agent().value->parameters());
  row = undone.iterate();
  EXPECT_EQ(metric(row, "rolled_back"), 1.0);
  EXPECT_EQ(metric(row, "updates"), 16.0);  // the steps were taken, then undone
  EXPECT_TRUE(all_equal(policy_start, copies(undone.agent().policy->parameters())));
  EXPECT_FALSE(all_equal(value_start, copies(undone.agent().value->parameters())));
  // No Adam state for the policy before the first iteration, so none after its undoing.
  for (const auto& p : undone.agent().policy->parameters()) EXPECT_EQ(state.count(c10::guts::to_string(p.unsafeGetTensorImpl())), 0u);
  for (const auto& p : undone.agent().value->parameters()) EXPECT_EQ(state.count(c10::guts::to_string(p.unsafeGetTensorImpl())), 1u);
}

TEST(KlRollback, RestoresAdamMomentsAsTheyWere) {
  TrainConfig c = small_fpo();
  Trainer trainer(c, EnvRegistry::global().make(c.env));
  trainer.iterate();  // Adam state for every parameter
  auto& state = trainer.optimizer().state();
  std::vector<torch::Tensor> moments;
  std::vector<int64_t> steps;
  for (const auto& p : trainer.agent().policy->parameters()) {
    const auto& adam = static_cast<const torch::optim::AdamParamState&>(*state.at(c10::guts::to_string(p.unsafeGetTensorImpl())));
    moments.push_back(adam.exp_avg().clone());
    moments.push_back(adam.exp_avg_sq().clone());
    steps.push_back(adam.step());
  }
  const auto before = copies(trainer.agent().policy->parameters());
  // The same trainer from here on undoes every iteration (the config is held by reference).
  const_cast<TrainConfig&>(trainer.config()).lr_schedule = "adaptive";
  const_cast<TrainConfig&>(trainer.config()).kl_rollback = 2.0;
  const_cast<TrainConfig&>(trainer.config()).target_kl = 1e-9;
  EXPECT_EQ(metric(trainer.iterate(), "rolled_back"), 1.0);
  EXPECT_TRUE(all_equal(before, copies(trainer.agent().policy->parameters())));
  size_t i = 0, j = 0;
  for (const auto& p : trainer.agent().policy->parameters()) {
    const auto& adam = static_cast<const torch::optim::AdamParamState&>(*state.at(c10::guts::to_string(p.unsafeGetTensorImpl())));
    EXPECT_TRUE(torch::equal(adam.exp_avg(), moments[i++]));
    EXPECT_TRUE(torch::equal(adam.exp_avg_sq(), moments[i++]));
    EXPECT_EQ(adam.step(), steps[j++]);
  }
}

TEST(HealthMetrics, EveryIterationReportsTheTrustRegion) {
  TrainConfig c = small_fpo();
  Trainer trainer(c, EnvRegistry::global().make(c.env));
  auto row = trainer.iterate();
  for (const char* name : {"ratio_mean", "ratio_max", "clip_fraction", "guard_fraction", "approx_kl", "lr", "updates"}) {
    EXPECT_TRUE(std::isfinite(metric(row, name))) << name;
  }
  EXPECT_GE(metric(row, "ratio_max"), 1.0);
  EXPECT_LE(metric(row, "ratio_max"), std::exp(c.log_ratio_guard) + 1e-3);
  EXPECT_EQ(trainer.health_warning(row), "");
}

TEST(HealthMetrics, WarnsOnceAfterAStreakOutsideTheTrustRegion) {
  TrainConfig c = small_fpo();
  Trainer trainer(c, EnvRegistry::global().make(c.env));
  MetricsRow bad = {{"clip_fraction", 0.6}, {"approx_kl", 0.2}, {"ratio_max", 20.0}, {"guard_fraction", 0.1}};
  int warnings = 0;
  std::string text;
  for (int i = 0; i < 12; ++i) {
    auto w = trainer.health_warning(bad);
    if (!w.empty()) { ++warnings; text = w; }
  }
  EXPECT_EQ(warnings, 1);
  EXPECT_NE(text.find("clip fraction"), std::string::npos) << text;
  EXPECT_NE(text.find("lr_schedule=adaptive"), std::string::npos) << text;
  MetricsRow good = {{"clip_fraction", 0.05}};
  EXPECT_EQ(trainer.health_warning(good), "");
  // A run that already adapts its lr is not told to.
  c.lr_schedule = "adaptive";
  Trainer adaptive(c, EnvRegistry::global().make(c.env));
  std::string advice;
  for (int i = 0; i < 5; ++i) advice = adaptive.health_warning(bad);
  EXPECT_EQ(advice.find("lr_schedule=adaptive"), std::string::npos) << advice;
  EXPECT_NE(advice.find("train.kl_stop=1.5"), std::string::npos) << advice;
  // One that already stops early is told to stop earlier.
  c.kl_stop = 4;
  Trainer stopping(c, EnvRegistry::global().make(c.env));
  for (int i = 0; i < 5; ++i) advice = stopping.health_warning(bad);
  EXPECT_NE(advice.find("train.kl_stop below 4"), std::string::npos) << advice;
}

}  // namespace
}  // namespace fpo
