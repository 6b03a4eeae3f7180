// DPPO's denoising-MDP policy: per-step Gaussian log-likelihoods and their
// ratios checked against hand-computed values on a velocity field made
// linear by setting the network's weights.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <string>

#include "fpo/common/error.h"
#include "fpo/policy/dppo_policy.h"

namespace fpo {
namespace {

const double kLog2Pi = std::log(2 * M_PI);

// A parameter by name (a tensor sharing the parameter's storage).
torch::Tensor param(DppoPolicy& policy, const std::string& name) {
  auto params = policy.named_parameters();
  if (!params.contains(name)) throw Error("no parameter named " + name);
  return params[name];
}

// One hidden ReLU unit h = relu(x + 10) (= x + 10 for |x| < 10) and a linear
// output, so that v(x, t; obs) = a x + b exactly, whatever obs and t.
// Input layout: [obs (obs_dim), x (1), t-embedding].
void make_linear_field(DppoPolicy& policy, int64_t obs_dim, double a, double b) {
  torch::NoGradGuard no_grad;
  const double s = policy.config().output_scale;
  auto w0 = param(policy, "velocity.0.weight");
  w0.zero_();
  w0[0][obs_dim] = 1.0;
  param(policy, "velocity.0.bias").fill_(10.0);
  param(policy, "velocity.2.weight").fill_(a / s);
  param(policy, "velocity.2.bias").fill_((b - 10.0 * a) / s);
}

DppoPolicyConfig linear_config(int steps, double sigma) {
  DppoPolicyConfig c;
  c.hidden = "1";
  c.activation = "relu";
  c.t_embed_dim = 2;
  c.steps = steps;
  c.sigma = sigma;
  return c;
}

TEST(DppoPolicy, GaussianStepLogProbHandComputed) {
  // 1-D: x_next 0.1, mean 0.35, sigma 0.5: -(0.25)^2 / (2 * 0.25) - log 0.5 - log(2 pi) / 2.
  auto lp = DppoPolicy::gaussian_step_log_prob(torch::tensor({0.1}, torch::kFloat64),
                                               torch::tensor({0.35}, torch::kFloat64), 0.5);
  EXPECT_NEAR(lp.item<double>(), -0.125 - std::log(0.5) - 0.5 * kLog2Pi, 1e-12);
  // 2-D sums the dims: residuals (1, -2) with sigma 2 -> -(1 + 4) / 8 - 2 log 2 - log(2 pi).
  auto lp2 = DppoPolicy::gaussian_step_log_prob(torch::tensor({{1.0, -2.0}}, torch::kFloat64),
                                                torch::zeros({1, 2}, torch::kFloat64), 2.0);
  ASSERT_EQ(lp2.sizes(), (std::vector<int64_t>{1}));
  EXPECT_NEAR(lp2.item<double>(), -5.0 / 8.0 - 2 * std::log(2.0) - kLog2Pi, 1e-12);
}

TEST(DppoPolicy, LinearFieldLogRatioMatchesHandComputed) {
  // K = 2 (dt = 0.5), sigma = 0.5, 1-D action, chain x2 = 1.0, x1 = 0.6, x0 = 0.1.
  // Old parameters: v = 0, so mu2 = 1.0, mu1 = 0.6; residuals -0.4, -0.5.
  // New: v = 0.5 x + 0.2: mu2 = 1 - 0.5 * 0.7 = 0.65, mu1 = 0.6 - 0.5 * 0.5 = 0.35;
  // residuals -0.05, -0.25. Per-step log ratio = (r_old^2 - r_new^2) / (2 sigma^2):
  //   step from x2: (0.16 - 0.0025) / 0.5 = 0.315, step from x1: (0.25 - 0.0625) / 0.5 = 0.375.
  const int64_t obs_dim = 3;
  DppoPolicy policy(obs_dim, 1, linear_config(2, 0.5));
  make_linear_field(policy, obs_dim, 0.5, 0.2);
  auto obs = torch::tensor({{0.3f, -1.0f, 2.0f}});
  auto chain = torch::tensor({1.0f, 0.6f, 0.1f}).reshape({1, 3, 1});
  auto old_lp = [](double r) { return -r * r / (2 * 0.25) - std::log(0.5) - 0.5 * kLog2Pi; };
  TensorMap memory;
  memory["dppo_chain"] = chain;
  memory["dppo_log_prob"] = torch::tensor({{old_lp(-0.4), old_lp(-0.5)}}, torch::kFloat32);

  auto v = policy.velocity(obs, torch::tensor({{1.0f}}), torch::tensor({1.0f}));
  EXPECT_NEAR(v.item<double>(), 0.7, 1e-6);  // the field really is 0.5 x + 0.2

  auto lr = policy.log_ratio(obs, chain.select(1, 2), memory);
  ASSERT_EQ(lr.sizes(), (std::vector<int64_t>{1, 2}));
  EXPECT_NEAR(lr[0][0].item<double>(), 0.315, 1e-5);
  EXPECT_NEAR(lr[0][1].item<double>(), 0.375, 1e-5);
}

TEST(DppoPolicy, LogRatioIsExactlyZeroAtTheActingParameters) {
  torch::manual_seed(11);
  DppoPolicyConfig config;
  config.steps = 5;
  DppoPolicy policy(4, 3, config);
  auto obs = torch::randn({16, 4});
  ActResult act;
  {
    torch::NoGradGuard no_grad;
    act = policy.act(obs, /*deterministic=*/false, /*with_memory=*/true);
  }
  ASSERT_EQ(act.memory.at("dppo_chain").sizes(), (std::vector<int64_t>{16, 6, 3}));
  ASSERT_EQ(act.memory.at("dppo_log_prob").sizes(), (std::vector<int64_t>{16, 5}));
  EXPECT_TRUE(torch::equal(act.action, act.memory.at("dppo_chain").select(1, 5)));
  auto lr = policy.log_ratio(obs, act.action, act.memory);
  ASSERT_EQ(lr.sizes(), (std::vector<int64_t>{16, 5}));
  EXPECT_EQ(lr.abs().max().item<float>(), 0.0f);
  // And it has a gradient (the objective can move it).
  lr.sum().backward();
  double grad_norm = 0;
  for (const auto& p : policy.parameters()) grad_norm += p.grad().norm().item<double>();
  EXPECT_GT(grad_norm, 0.0);
}

TEST(DppoPolicy, ChainStepsHaveTheConfiguredNoise) {
  // With v = 0 every step is x_{k-1} = x_k + sigma z: the step increments have std sigma.
  torch::manual_seed(5);
  const int64_t obs_dim = 2;
  DppoPolicy policy(obs_dim, 1, linear_config(4, 0.3));
  make_linear_field(policy, obs_dim, 0.0, 0.0);
  torch::NoGradGuard no_grad;
  auto act = policy.act(torch::zeros({20000, obs_dim}), false, true);
  auto chain = act.memory.at("dppo_chain");
  auto incr = chain.narrow(1, 1, 4) - chain.narrow(1, 0, 4);
  EXPECT_NEAR(incr.std().item<double>(), 0.3, 0.01);
  EXPECT_NEAR(chain.select(1, 0).std().item<double>(), 1.0, 0.03);  // x_K ~ N(0, 1)
}

TEST(DppoPolicy, DeterministicActIsNoiseFree) {
  // Constant field v = b: from x_K = 0 and no per-step noise, x_0 = -K dt b = -b.
  torch::manual_seed(2);
  const int64_t obs_dim = 2;
  DppoPolicy policy(obs_dim, 1, linear_config(4, 0.5));
  make_linear_field(policy, obs_dim, 0.0, 0.25);
  torch::NoGradGuard no_grad;
  auto obs = torch::randn({8, obs_dim});
  auto a1 = policy.act(obs, /*deterministic=*/true, /*with_memory=*/true);
  auto a2 = policy.act(obs, true, false);
  for (int64_t i = 0; i < 8; ++i) EXPECT_NEAR(a1.action[i][0].item<double>(), -0.25, 1e-6);
  EXPECT_TRUE(torch::equal(a1.action, a2.action));
  // The deterministic chain: 0, -0.0625, -0.125, -0.1875, -0.25.
  auto chain = a1.memory.at("dppo_chain")[0].reshape({-1});
  for (int64_t j = 0; j <= 4; ++j) EXPECT_NEAR(chain[j].item<double>(), -0.0625 * j, 1e-6);
  // Stochastic acting on the same field does spread around it.
  auto noisy = policy.act(obs, false, false).action;
  EXPECT_GT((noisy + 0.25).abs().max().item<double>(), 0.1);
}

TEST(DppoPolicy, RejectsBadConfig) {
  DppoPolicyConfig c;
  c.sigma = 0;
  EXPECT_THROW(DppoPolicy(2, 1, c), Error);
  c = DppoPolicyConfig{};
  c.steps = 0;
  EXPECT_THROW(DppoPolicy(2, 1, c), Error);
  c = DppoPolicyConfig{};
  c.t_embed_dim = 3;
  EXPECT_THROW(DppoPolicy(2, 1, c), Error);
}

}  // namespace
}  // namespace fpo
