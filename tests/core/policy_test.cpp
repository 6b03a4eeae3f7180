// Policy families against closed forms: the flow policy's CFM losses (both
// parameterisations) with a velocity field made known by overwriting the
// network, and the Gaussian policy's log-density, entropy and log-ratio.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <string>
#include <vector>

#include "fpo/common/error.h"
#include "fpo/policy/flow_policy.h"
#include "fpo/policy/gaussian_policy.h"

namespace fpo {
namespace {

void expect_tensor_near(const torch::Tensor& actual, const std::vector<double>& expected, double tol) {
  auto a = actual.to(torch::kFloat64).contiguous().reshape({-1});
  ASSERT_EQ(a.numel(), static_cast<int64_t>(expected.size()));
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_NEAR(a[static_cast<int64_t>(i)].item<double>(), expected[i], tol) << "element " << i;
  }
}

FlowPolicyConfig small_flow_config(const std::string& loss) {
  FlowPolicyConfig c;
  c.hidden = "16,16";
  c.loss = loss;
  c.output_scale = 0.25;
  c.n_mc = 2;
  return c;
}

// Zeroes every weight and bias, then sets the last layer's bias to b: every
// hidden activation is silu(0) = 0, so v(x, t; o) = output_scale * b everywhere.
void make_velocity_constant(FlowPolicy& policy, const std::vector<float>& b) {
  torch::NoGradGuard no_grad;
  auto named = policy.named_parameters();
  ASSERT_GE(named.size(), 2u);
  for (auto& p : named) p.value().zero_();
  auto& last = named[named.size() - 1];
  ASSERT_NE(last.key().find("bias"), std::string::npos) << last.key();
  ASSERT_EQ(last.value().numel(), static_cast<int64_t>(b.size()));
  last.value().copy_(torch::tensor(b));
}

// One observation (obs_dim 3), action a = (0.3, -0.2), two (t, eps) pairs:
//   pair 0: t = 0.5, eps = (1.0, 0.5)
//   pair 1: t = 0.2, eps = (-1.0, 0.0)
struct CfmCase {
  torch::Tensor obs = torch::tensor({{0.7f, -1.1f, 0.2f}});
  torch::Tensor action = torch::tensor({{0.3f, -0.2f}});
  torch::Tensor t = torch::tensor({{0.5f, 0.2f}});
  torch::Tensor eps = torch::tensor({1.0f, 0.5f, -1.0f, 0.0f}).reshape({1, 2, 2});
};

TEST(FlowPolicy, VelocityIsOutputScaleTimesLastBias) {
  FlowPolicy policy(3, 2, small_flow_config("eps"));
  make_velocity_constant(policy, {2.0f, -4.0f});
  auto v = policy.velocity(torch::randn({5, 3}), torch::randn({5, 2}), torch::rand({5}));
  ASSERT_EQ(v.sizes(), (std::vector<int64_t>{5, 2}));
  for (int i = 0; i < 5; ++i) expect_tensor_near(v[i], {0.5, -1.0}, 1e-7);
}

TEST(FlowPolicy, CfmLossUMseHandComputed) {
  // v = 0.25 * (2, -4) = (0.5, -1). u-MSE = mean_a (v - (eps - a))^2:
  //   pair 0: eps - a = (0.7, 0.7);  v - u = (-0.2, -1.7) -> (0.04 + 2.89) / 2 = 1.465
  //   pair 1: eps - a = (-1.3, 0.2); v - u = (1.8, -1.2)  -> (3.24 + 1.44) / 2 = 2.34
  FlowPolicy policy(3, 2, small_flow_config("u"));
  make_velocity_constant(policy, {2.0f, -4.0f});
  CfmCase c;
  auto loss = policy.cfm_loss(c.obs, c.action, c.t, c.eps);
  ASSERT_EQ(loss.sizes(), (std::vector<int64_t>{1, 2}));
  expect_tensor_near(loss, {1.465, 2.34}, 1e-6);
}

TEST(FlowPolicy, CfmLossEpsMseHandComputed) {
  // eps_hat = x_t + (1 - t) v with x_t = t eps + (1 - t) a, so
  // eps_hat - eps = (1 - t) (v - (eps - a)) and eps-MSE = (1 - t)^2 u-MSE:
  //   pair 0: 0.25 * 1.465 = 0.36625;  pair 1: 0.64 * 2.34 = 1.4976
  FlowPolicy policy(3, 2, small_flow_config("eps"));
  make_velocity_constant(policy, {2.0f, -4.0f});
  CfmCase c;
  auto loss = policy.cfm_loss(c.obs, c.action, c.t, c.eps);
  ASSERT_EQ(loss.sizes(), (std::vector<int64_t>{1, 2}));
  expect_tensor_near(loss, {0.36625, 1.4976}, 1e-6);
}

TEST(FlowPolicy, BothLossesVanishAtTheExactVelocity) {
  // The straight path's velocity is eps - a; with v = eps - a both losses are 0 at every t.
  const std::vector<float> a = {0.3f, -0.2f}, eps = {1.0f, 0.5f};
  for (const std::string loss_name : {"u", "eps"}) {
    FlowPolicy policy(3, 2, small_flow_config(loss_name));
    make_velocity_constant(policy, {(eps[0] - a[0]) / 0.25f, (eps[1] - a[1]) / 0.25f});
    auto t = torch::tensor({{0.0f, 0.1f, 0.5f, 0.99f}});
    auto e = torch::tensor(eps).reshape({1, 1, 2}).expand({1, 4, 2}).contiguous();
    auto loss = policy.cfm_loss(torch::zeros({1, 3}), torch::tensor(a).reshape({1, 2}), t, e);
    expect_tensor_near(loss, {0, 0, 0, 0}, 1e-10);
  }
}

TEST(FlowPolicy, EpsLossIsOneMinusTSquaredTimesULossForAnyNetwork) {
  // Same initial parameters (same seed), the two parameterisations.
  torch::manual_seed(11);
  FlowPolicy eps_policy(3, 2, small_flow_config("eps"));
  torch::manual_seed(11);
  FlowPolicy u_policy(3, 2, small_flow_config("u"));
  torch::manual_seed(5);
  auto obs = torch::randn({4, 3}), action = torch::randn({4, 2});
  auto t = torch::rand({4, 6}), eps = torch::randn({4, 6, 2});
  auto l_eps = eps_policy.cfm_loss(obs, action, t, eps);
  auto l_u = u_policy.cfm_loss(obs, action, t, eps);
  EXPECT_GT(l_u.min().item<double>(), 0.0);
  EXPECT_TRUE(torch::allclose(l_eps, (1 - t).pow(2) * l_u, 1e-4, 1e-6));
}

TEST(FlowPolicy, ActShapesAndMemory) {
  FlowPolicyConfig c = small_flow_config("eps");
  c.n_mc = 5;
  FlowPolicy policy(3, 2, c);
  torch::NoGradGuard no_grad;
  auto obs = torch::randn({7, 3});
  auto out = policy.act(obs, false, true);
  ASSERT_EQ(out.action.sizes(), (std::vector<int64_t>{7, 2}));
  ASSERT_EQ(out.memory.at("cfm_t").sizes(), (std::vector<int64_t>{7, 5}));
  ASSERT_EQ(out.memory.at("cfm_eps").sizes(), (std::vector<int64_t>{7, 5, 2}));
  ASSERT_EQ(out.memory.at("cfm_loss").sizes(), (std::vector<int64_t>{7, 5}));
  auto t = out.memory.at("cfm_t");
  EXPECT_GE(t.min().item<double>(), 0.0);
  EXPECT_LE(t.max().item<double>(), 1.0);
  // The stored losses are the policy's CFM losses on the stored pairs.
  EXPECT_TRUE(torch::allclose(out.memory.at("cfm_loss"), policy.cfm_loss(obs, out.action, t, out.memory.at("cfm_eps"))));
  // Without memory: nothing stored. Deterministic: the same action twice.
  EXPECT_TRUE(policy.act(obs, false, false).memory.empty());
  EXPECT_TRUE(torch::equal(policy.act(obs, true, false).action, policy.act(obs, true, false).action));
}

TEST(FlowPolicy, TargetNoiseBlursEachPairsActionAndKeepsTheRatioAtOne) {
  FlowPolicyConfig c = small_flow_config("eps");
  c.n_mc = 4;
  c.target_noise = 0.3;
  FlowPolicy policy(3, 2, c);
  torch::NoGradGuard no_grad;
  auto obs = torch::randn({6, 3});
  auto out = policy.act(obs, false, true);
  const auto& blur = out.memory.at("cfm_blur");
  ASSERT_EQ(blur.sizes(), (std::vector<int64_t>{6, 4, 2}));
  EXPECT_NEAR(blur.std().item<double>(), 0.3, 0.12);
  const auto& t = out.memory.at("cfm_t");
  const auto& eps = out.memory.at("cfm_eps");
  // Pair m's loss is the plain CFM loss of action + blur[:, m] on that pair.
  auto l = out.memory.at("cfm_loss");
  for (int64_t m = 0; m < 4; ++m) {
    auto single = policy.cfm_loss(obs, out.action + blur.select(1, m), t.narrow(1, m, 1), eps.narrow(1, m, 1));
    EXPECT_TRUE(torch::allclose(l.narrow(1, m, 1), single, 1e-5, 1e-6)) << "pair " << m;
  }
  EXPECT_FALSE(torch::allclose(l, policy.cfm_loss(obs, out.action, t, eps)));  // the blur matters
  // Same parameters: the update's first ratio is exactly 1.
  EXPECT_EQ(policy.log_ratio(obs, out.action, out.memory).abs().max().item<double>(), 0.0);
  // Off by default: nothing stored.
  EXPECT_EQ(FlowPolicy(3, 2, small_flow_config("eps")).act(obs, false, true).memory.count("cfm_blur"), 0u);
  c.target_noise = -1;
  EXPECT_THROW(FlowPolicy(3, 2, c), Error);
}

TEST(FlowPolicy, GridTimeSamplingUsesSamplerGrid) {
  FlowPolicyConfig c = small_flow_config("eps");
  c.t_sampling = "grid";
  c.steps = 4;
  c.n_mc = 64;
  FlowPolicy policy(3, 2, c);
  torch::NoGradGuard no_grad;
  auto t = policy.act(torch::randn({8, 3}), false, true).memory.at("cfm_t");
  // Every t is one of 1/4, 2/4, 3/4, 1.
  auto k = t * 4;
  EXPECT_TRUE(torch::allclose(k, k.round(), 0, 1e-6));
  EXPECT_GE(k.round().min().item<double>(), 1.0);
  EXPECT_LE(k.round().max().item<double>(), 4.0);
}

TEST(FlowPolicy, FreshPairsRatioIsOneAtTheActingParametersAndTracksTheLossInExpectation) {
  FlowPolicyConfig c = small_flow_config("u");
  c.pairs = "fresh";
  c.n_mc = 16384;  // enough pairs that the fresh ratio is the expected-loss difference
  torch::manual_seed(3);
  FlowPolicy policy(3, 2, c);
  auto obs = torch::randn({5, 3});
  TensorMap memory;
  {
    torch::NoGradGuard no_grad;
    memory = policy.act(obs, false, true).memory;
  }
  EXPECT_TRUE(memory.empty());  // nothing to store: the pairs come with each minibatch
  auto action = torch::randn({5, 2});
  EXPECT_THROW(policy.log_ratio(obs, action, memory), Error);  // no acting copy yet
  policy.begin_update();
  // Same parameters on both sides: exactly zero, whatever pairs are drawn.
  EXPECT_EQ(policy.log_ratio(obs, action, memory).abs().max().item<double>(), 0.0);
  // Move the live network to v = const; the acting copy keeps the old one, so
  // the log-ratio is E[l_old] - E[l_new] with l_new known in closed form:
  // u-MSE with v = (0.5, -1) is mean_a E[(v_a - eps_a + a_a)^2] = mean_a (v_a + a_a)^2 + 1.
  torch::Tensor l_old_mean;
  {
    torch::NoGradGuard no_grad;
    auto t = torch::rand({5, 16384});
    auto eps = torch::randn({5, 16384, 2});
    l_old_mean = policy.cfm_loss(obs, action, t, eps).mean(1, true);
  }
  make_velocity_constant(policy, {2.0f, -4.0f});
  auto v = torch::tensor({{0.5f, -1.0f}});
  auto l_new_expected = (v + action).pow(2).mean(-1, true) + 1.0;
  auto log_ratio = policy.log_ratio(obs, action, memory);
  ASSERT_EQ(log_ratio.sizes(), (std::vector<int64_t>{5, 1}));
  EXPECT_TRUE(torch::allclose(log_ratio, l_old_mean - l_new_expected, 0, 0.15)) << log_ratio << l_old_mean - l_new_expected;
  // The gradient reaches the live network only.
  log_ratio.sum().backward();
  for (const auto& p : policy.parameters()) EXPECT_TRUE(p.grad().defined());
  // A new update copies the live parameters: zero again.
  policy.begin_update();
  EXPECT_EQ(policy.log_ratio(obs, action, memory).abs().max().item<double>(), 0.0);
}

TEST(FlowPolicy, SampleFollowsConstantVelocity) {
  // With v = c everywhere, the Euler sampler maps noise x1 to x1 - c; zero
  // noise (deterministic) gives -c.
  FlowPolicy policy(3, 2, small_flow_config("eps"));
  make_velocity_constant(policy, {2.0f, -4.0f});  // v = (0.5, -1)
  torch::NoGradGuard no_grad;
  auto a = policy.act(torch::randn({3, 3}), true, false).action;
  for (int i = 0; i < 3; ++i) expect_tensor_near(a[i], {-0.5, 1.0}, 1e-6);
  auto x1 = torch::tensor({{1.0f, 1.0f}});
  expect_tensor_near(policy.sample(torch::zeros({1, 3}), x1), {0.5, 2.0}, 1e-6);
}

TEST(FlowPolicy, EntropyIsTheGaussianEntropyOfTheSamplesSpread) {
  // With v = c the samples are x1 - c: the estimate is the Gaussian entropy
  // of the per-dimension std of the drawn x1, at the first 64 states only.
  FlowPolicy policy(3, 2, small_flow_config("eps"));
  make_velocity_constant(policy, {2.0f, -4.0f});
  const int64_t states = FlowPolicy::kEntropyStates, draws = FlowPolicy::kEntropyDraws;
  auto obs = torch::randn({states + 10, 3});
  torch::manual_seed(5);
  const double estimate = policy.entropy(obs).item<double>();
  torch::manual_seed(5);
  auto x1 = torch::randn({states * draws, 2}).view({states, draws, 2});
  const double expected = (0.5 + 0.5 * std::log(2 * M_PI) + x1.std(1).log()).sum(-1).mean().item<double>();
  EXPECT_NEAR(estimate, expected, 1e-5);
  // Near the entropy of N(0, I) (log of an 8-sample std is biased low, ~0.075).
  EXPECT_NEAR(estimate, 2 * (0.5 + 0.5 * std::log(2 * M_PI)), 0.35);
}

TEST(FlowPolicy, SpreadFloorPenalisesOnlyASpreadBelowIt) {
  // v = c: the samples' std is that of x1, near 1 at every state.
  auto penalty = [](double floor) {
    FlowPolicyConfig c = small_flow_config("eps");
    c.spread_floor = floor;
    FlowPolicy policy(3, 2, c);
    make_velocity_constant(policy, {2.0f, -4.0f});
    auto p = policy.regulariser(torch::randn({70, 3}));
    return p.defined() ? p.item<double>() : -1.0;
  };
  EXPECT_EQ(penalty(0.0), -1.0);  // off: no term at all
  EXPECT_EQ(penalty(0.1), 0.0);   // every std is far above 0.1
  EXPECT_NEAR(penalty(20.0), std::log(20.0), 0.15);  // log 20 - log(about 1)
  FlowPolicyConfig bad = small_flow_config("eps");
  bad.spread_floor = -0.1;
  EXPECT_THROW(FlowPolicy(3, 2, bad), Error);
}

TEST(FlowPolicy, BoundPenaltyIsTheMeanSquaredOvershootOfTheSamples) {
  // v = c = (0.5, -1): the samples are x1 - c, so the penalty is the weight
  // times the mean of max(0, |x1 - c| - 1)^2 over the first 64 states' draws.
  FlowPolicyConfig c = small_flow_config("eps");
  c.bound_penalty = 3.0;
  FlowPolicy policy(3, 2, c);
  make_velocity_constant(policy, {2.0f, -4.0f});
  const int64_t states = FlowPolicy::kEntropyStates, draws = FlowPolicy::kEntropyDraws;
  auto obs = torch::randn({states + 10, 3});
  torch::manual_seed(9);
  const double penalty = policy.regulariser(obs).item<double>();
  torch::manual_seed(9);
  auto a = torch::randn({states * draws, 2}) - torch::tensor({0.5f, -1.0f});
  const double expected = 3.0 * (a.abs() - 1.0).clamp_min(0.0).pow(2).mean().item<double>();
  EXPECT_GT(expected, 0.3);  // the second dimension sits at +1: about half its draws overshoot
  EXPECT_NEAR(penalty, expected, 1e-5);
  FlowPolicyConfig bad = small_flow_config("eps");
  bad.bound_penalty = -1.0;
  EXPECT_THROW(FlowPolicy(3, 2, bad), Error);
}

TEST(FlowPolicy, CfmAnchorIsTheMinibatchsMeanCfmLossOnItsStoredPairs) {
  FlowPolicyConfig c = small_flow_config("eps");
  c.cfm_anchor = 0.5;
  FlowPolicy policy(3, 2, c);
  auto obs = torch::randn({6, 3});
  auto acted = policy.act(obs, false, /*with_memory=*/true);
  EXPECT_THROW(policy.regulariser(obs), Error);  // no log_ratio on this minibatch yet
  policy.log_ratio(obs, acted.action, acted.memory);
  auto anchor = policy.regulariser(obs);
  const double expected =
      0.5 * policy.cfm_loss(obs, acted.action, acted.memory.at("cfm_t"), acted.memory.at("cfm_eps"), {})
                .mean()
                .item<double>();
  EXPECT_NEAR(anchor.item<double>(), expected, 1e-6);
  EXPECT_TRUE(anchor.requires_grad());  // it trains the flow
  EXPECT_THROW(policy.regulariser(obs), Error);  // taken: the next minibatch needs its own log_ratio
}

TEST(FlowPolicy, CfmAnchorWithATMaxCountsOnlyThosePairs) {
  FlowPolicyConfig c = small_flow_config("eps");
  c.cfm_anchor = 2.0;
  c.anchor_t_max = 0.4;
  FlowPolicy policy(3, 2, c);
  auto obs = torch::randn({8, 3});
  auto acted = policy.act(obs, false, /*with_memory=*/true);
  policy.log_ratio(obs, acted.action, acted.memory);
  const auto t = acted.memory.at("cfm_t");
  const auto inside = t <= 0.4;
  ASSERT_GT(inside.sum().item<int64_t>(), 0);
  ASSERT_LT(inside.sum().item<int64_t>(), t.numel());
  const auto losses = policy.cfm_loss(obs, acted.action, t, acted.memory.at("cfm_eps"), {});
  EXPECT_NEAR(policy.regulariser(obs).item<double>(), 2.0 * losses.masked_select(inside).mean().item<double>(), 1e-5);
}

TEST(FlowPolicy, SamplingPairNoiseIsTheNoiseThatProducedTheAction) {
  FlowPolicyConfig c = small_flow_config("eps");
  c.pair_noise = "sampling";
  FlowPolicy policy(3, 2, c);
  auto obs = torch::randn({5, 3});
  torch::manual_seed(4);
  auto acted = policy.act(obs, false, /*with_memory=*/true);
  torch::manual_seed(4);
  auto x1 = torch::randn({5, 2});  // act() draws the initial noise first
  const auto eps = acted.memory.at("cfm_eps");
  for (int64_t m = 0; m < c.n_mc; ++m) EXPECT_TRUE(torch::equal(eps.select(1, m), x1));
  EXPECT_TRUE(torch::allclose(policy.sample(obs, x1), acted.action));
  c.pairs = "fresh";
  EXPECT_THROW(FlowPolicy(3, 2, c), Error);
  c.pairs = "stored";
  c.pair_noise = "x1";
  EXPECT_THROW(FlowPolicy(3, 2, c), Error);
}

TEST(FlowPolicy, ActionPredictionReadsTheOutputAsTheStepToTheCleanAction) {
  FlowPolicyConfig c = small_flow_config("eps");
  c.t_sampling = "grid";
  torch::manual_seed(9);
  FlowPolicy velocity(3, 2, c);
  c.predict = "action";
  torch::manual_seed(9);
  FlowPolicy action(3, 2, c);  // the same weights
  auto obs = torch::randn({4, 3});
  auto x = torch::randn({4, 2});
  auto t = torch::tensor({0.1, 0.3, 0.7, 1.0});
  const auto out = velocity.velocity(obs, x, t);  // the raw (scaled) output
  EXPECT_TRUE(torch::allclose(action.velocity(obs, x, t), -out / t.unsqueeze(-1)));
  // Euler's last step from t = 1/K lands on x + out there: the network's clean-action guess.
  const auto x_last = torch::randn({4, 2});
  const auto t_last = torch::full({4}, 1.0 / c.steps);
  const auto a_hat = x_last + velocity.velocity(obs, x_last, t_last);
  EXPECT_TRUE(torch::allclose(x_last - (1.0 / c.steps) * action.velocity(obs, x_last, t_last), a_hat, 1e-5, 1e-6));
  c.t_sampling = "uniform";  // t near 0 would divide by ~0
  EXPECT_THROW(FlowPolicy(3, 2, c), Error);
  c.t_sampling = "grid";
  c.predict = "x0";
  EXPECT_THROW(FlowPolicy(3, 2, c), Error);
}

TEST(FlowPolicy, NegativeTMinFreezesSmallTPairsOfNegativeSamplesOnly) {
  FlowPolicyConfig c = small_flow_config("eps");
  auto obs = torch::randn({6, 3});
  FlowPolicy plain(3, 2, c);
  c.negative_t_min = 0.5;
  FlowPolicy masked(3, 2, c);
  {
    torch::NoGradGuard no_grad;
    const auto from = plain.parameters(), to = masked.parameters();
    for (size_t i = 0; i < from.size(); ++i) to[i].copy_(from[i]);
  }
  ActResult acted;
  {
    torch::NoGradGuard no_grad;  // as in a rollout: stored tensors carry no graph
    acted = plain.act(obs, false, /*with_memory=*/true);
  }
  auto memory = acted.memory;
  EXPECT_THROW(masked.log_ratio(obs, acted.action, memory), Error);  // no advantages
  memory["advantages"] = torch::tensor({1.0, -1.0, 2.0, -0.5, -3.0, 0.5});
  // Reference: the plain ratio with the frozen pairs' new losses detached by hand.
  auto t = memory.at("cfm_t");
  auto l_new = plain.cfm_loss(obs, acted.action, t, memory.at("cfm_eps"), {});
  auto frozen = (t < 0.5).logical_and(memory.at("advantages").reshape({-1, 1}) < 0);
  auto expected = memory.at("cfm_loss").mean(1, true) - torch::where(frozen, l_new.detach(), l_new).mean(1, true);
  auto got = masked.log_ratio(obs, acted.action, memory);
  EXPECT_TRUE(torch::allclose(got, expected, 1e-6, 1e-6));
  EXPECT_TRUE(torch::allclose(got, plain.log_ratio(obs, acted.action, memory), 1e-6, 1e-6));  // same value
  auto weights = torch::randn({6, 1});
  const auto pg = torch::autograd::grad({(got * weights).sum()}, masked.parameters());
  const auto eg = torch::autograd::grad({(expected * weights).sum()}, plain.parameters());
  for (size_t i = 0; i < pg.size(); ++i) EXPECT_TRUE(torch::allclose(pg[i], eg[i], 1e-5, 1e-6));
  ASSERT_GT(frozen.sum().item<int64_t>(), 0);  // the seed's pairs exercise the mask
  // Without grad (measurements) the advantages are not needed.
  torch::NoGradGuard no_grad;
  EXPECT_NO_THROW(masked.log_ratio(obs, acted.action, acted.memory));
}

TEST(FlowPolicy, SampleKlIsTheCoupledDisplacementOverTwiceTheVariance) {
  FlowPolicy policy(3, 2, small_flow_config("eps"));
  auto obs = torch::randn({600, 3});
  EXPECT_FALSE(policy.sample_kl(obs).defined());  // no acting copy before the first update
  make_velocity_constant(policy, {2.0f, -4.0f});
  policy.begin_update();
  EXPECT_EQ(policy.sample_kl(obs).abs().max().item<double>(), 0.0);  // not moved yet
  make_velocity_constant(policy, {2.4f, -4.0f});  // v moves by 0.25 * 0.4 = 0.1 in the first dim
  torch::manual_seed(9);
  const auto per_state = policy.sample_kl(obs);
  ASSERT_EQ(per_state.sizes(), torch::IntArrayRef({FlowPolicy::kDriftStates}));
  const double kl = per_state.mean().item<double>();
  const double next = torch::randn({1}).item<double>();  // drawn after the measurement
  torch::manual_seed(9);
  EXPECT_EQ(torch::randn({1}).item<double>(), next);  // the measurement left the random stream alone
  torch::manual_seed(9);
  // v = c: the acting samples are x1 - c, so their variance is that of x1; each moved by exactly -0.1.
  const int64_t states = FlowPolicy::kDriftStates, draws = FlowPolicy::kEntropyDraws;
  auto x1 = torch::randn({states * draws, 2}).view({states, draws, 2});
  const auto expected_per_state = 0.01 / (2.0 * x1.select(2, 0).var(1));
  const double expected = expected_per_state.mean().item<double>();
  EXPECT_NEAR(kl, expected, 1e-4 * expected);
  EXPECT_TRUE(torch::allclose(per_state, expected_per_state, 1e-4));
  // With the variance capped below x1's (~1), the same displacement reads larger.
  FlowPolicyConfig capped_config = small_flow_config("eps");
  capped_config.drift_var_max = 0.25;
  FlowPolicy capped(3, 2, capped_config);
  make_velocity_constant(capped, {2.0f, -4.0f});
  capped.begin_update();
  make_velocity_constant(capped, {2.4f, -4.0f});
  torch::manual_seed(9);
  const auto capped_kl = capped.sample_kl(obs);
  EXPECT_TRUE(torch::allclose(capped_kl, 0.01 / (2.0 * x1.select(2, 0).var(1).clamp_max(0.25)), 1e-4));
  capped_config.drift_var_max = -1;
  EXPECT_THROW(FlowPolicy(3, 2, capped_config), Error);
}

TEST(FlowPolicy, AStepUpTheEntropyWidensTheSamples) {
  torch::manual_seed(3);
  FlowPolicy policy(3, 2, small_flow_config("eps"));
  auto obs = torch::randn({64, 3});
  auto spread = [&] {
    torch::NoGradGuard no_grad;
    torch::manual_seed(11);
    return policy.sample(obs.repeat_interleave(32, 0), torch::randn({64 * 32, 2})).view({64, 32, 2}).std(1).mean()
        .item<double>();
  };
  const double before = spread();
  torch::optim::Adam adam(policy.parameters(), 1e-2);
  for (int i = 0; i < 20; ++i) {
    adam.zero_grad();
    (-policy.entropy(obs)).backward();
    adam.step();
  }
  EXPECT_GT(spread(), before * 1.1) << "before " << before;
}

TEST(FlowPolicy, RejectsBadConfig) {
  auto bad = [](auto edit) {
    FlowPolicyConfig c;
    edit(c);
    return c;
  };
  EXPECT_THROW(FlowPolicy(3, 2, bad([](FlowPolicyConfig& c) { c.loss = "l1"; })), Error);
  EXPECT_THROW(FlowPolicy(3, 2, bad([](FlowPolicyConfig& c) { c.ratio = "max"; })), Error);
  EXPECT_THROW(FlowPolicy(3, 2, bad([](FlowPolicyConfig& c) { c.t_sampling = "beta"; })), Error);
  EXPECT_THROW(FlowPolicy(3, 2, bad([](FlowPolicyConfig& c) { c.pairs = "new"; })), Error);
  EXPECT_THROW(FlowPolicy(3, 2, bad([](FlowPolicyConfig& c) { c.n_mc = 0; })), Error);
  EXPECT_THROW(FlowPolicy(3, 2, bad([](FlowPolicyConfig& c) { c.steps = 0; })), Error);
  EXPECT_THROW(FlowPolicy(3, 2, bad([](FlowPolicyConfig& c) { c.t_embed_dim = 7; })), Error);
  EXPECT_THROW(FlowPolicy(3, 2, bad([](FlowPolicyConfig& c) { c.hidden = "32,x"; })), Error);
  EXPECT_THROW(FlowPolicy(3, 2, bad([](FlowPolicyConfig& c) { c.output_scale = 0; })), Error);
}

// ---------------------------------------------------------------------------
// Gaussian policy.

TEST(GaussianPolicy, LogProbClosedForm) {
  // mean (0.1, -0.2), std (0.5, 2.0), action (0.6, 1.0): z = (1.0, 0.6)
  // log p = sum_a [-z^2 / 2 - log std - log(2 pi) / 2]
  //       = -0.5 - 0.18 - log 0.5 - log 2 - log(2 pi) = -0.68 - 1.8378770664 = -2.5178770664
  auto lp = GaussianPolicy::log_prob(torch::tensor({{0.1, -0.2}}, torch::kFloat64),
                                     torch::tensor({{0.5, 2.0}}, torch::kFloat64),
                                     torch::tensor({{0.6, 1.0}}, torch::kFloat64));
  ASSERT_EQ(lp.sizes(), (std::vector<int64_t>{1, 1}));
  EXPECT_NEAR(lp.item<double>(), -2.5178770664093453, 1e-12);
}

TEST(GaussianPolicy, InitialStdEntropyAndZeroLogRatio) {
  GaussianPolicyConfig c;
  c.hidden = "16,16";
  c.init_std = 0.5;
  GaussianPolicy policy(3, 2, c);
  auto obs = torch::randn({6, 3});
  auto [mean, std] = policy.distribution(obs);
  ASSERT_EQ(std.sizes(), (std::vector<int64_t>{6, 2}));
  EXPECT_TRUE(torch::allclose(std, torch::full({6, 2}, 0.5f)));
  // Entropy of a diagonal Gaussian: sum_a (1/2 + log(2 pi)/2 + log std)
  //   = 2 * (0.5 + 0.9189385332 - 0.6931471806) = 1.4515827053
  EXPECT_NEAR(policy.entropy(obs).item<double>(), 1.4515827052894548, 1e-5);

  ActResult act;
  {
    torch::NoGradGuard no_grad;
    act = policy.act(obs, false, true);
  }
  ASSERT_EQ(act.memory.at("log_prob").sizes(), (std::vector<int64_t>{6, 1}));
  EXPECT_TRUE(torch::allclose(act.memory.at("log_prob"), GaussianPolicy::log_prob(mean, std, act.action).detach()));
  auto log_ratio = policy.log_ratio(obs, act.action, act.memory);
  ASSERT_EQ(log_ratio.sizes(), (std::vector<int64_t>{6, 1}));
  EXPECT_TRUE(torch::equal(log_ratio, torch::zeros_like(log_ratio))) << log_ratio;
  EXPECT_TRUE(log_ratio.requires_grad());
  // Deterministic action is the mean.
  EXPECT_TRUE(torch::equal(policy.act(obs, true, false).action, mean));
}

TEST(GaussianPolicy, SoftplusHeadStartsAtInitStd) {
  GaussianPolicyConfig c;
  c.hidden = "8";
  c.std_mode = "softplus";
  c.init_std = 0.3;
  c.min_std = 0.01;
  GaussianPolicy policy(4, 3, c);
  auto [mean, std] = policy.distribution(torch::randn({5, 4}));
  // The last layer starts with small weights (gain 0.01) and zero bias: std ~ init_std.
  EXPECT_TRUE(torch::allclose(std, torch::full({5, 3}, 0.3f), 1e-2, 1e-2));
  EXPECT_THROW(GaussianPolicy(4, 3, [] { GaussianPolicyConfig g; g.std_mode = "exp"; return g; }()), Error);
  EXPECT_THROW(GaussianPolicy(4, 3, [] { GaussianPolicyConfig g; g.init_std = 1e-4; return g; }()), Error);
}

}  // namespace
}  // namespace fpo
