// The direct (BLAS, no autograd) forward passes against LibTorch's.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "fpo/policy/flow_policy.h"
#include "fpo/policy/mlp.h"
#include "fpo/policy/mlp_forward.h"

namespace fpo {
namespace {

float max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) { return (a - b).abs().max().item<float>(); }

TEST(MlpForward, MatchesLibTorchForEveryActivationAndLeadingShape) {
  torch::manual_seed(3);
  for (const char* activation : {"silu", "tanh", "relu", "elu"}) {
    auto net = make_mlp(7, {32, 16, 32}, 3, activation, 0.5);
    auto input = torch::randn({5, 9, 7}) * 2;
    torch::Tensor expected = net->forward(input);
    torch::NoGradGuard no_grad;
    ASSERT_TRUE(direct_forward_applies(net, input)) << activation;
    auto got = mlp_forward(net, input);
    ASSERT_EQ(got.sizes(), expected.sizes());
    EXPECT_LT(max_abs_diff(got, expected), 1e-5) << activation;
  }
}

TEST(MlpForward, FollowsTheWeightsAsTheOptimiserChangesThem) {
  torch::manual_seed(4);
  auto net = make_mlp(4, {8}, 2, "silu");
  torch::optim::Adam adam(net->parameters(), torch::optim::AdamOptions(0.1));
  auto input = torch::randn({6, 4});
  for (int step = 0; step < 3; ++step) {
    adam.zero_grad();
    net->forward(input).pow(2).sum().backward();
    adam.step();
    torch::NoGradGuard no_grad;
    EXPECT_LT(max_abs_diff(mlp_forward(net, input), net->forward(input)), 1e-5);
  }
}

TEST(MlpForward, LeavesAutogradAndOtherInputsToLibTorch) {
  auto net = make_mlp(4, {8}, 2, "silu");
  auto input = torch::randn({6, 4});
  EXPECT_FALSE(direct_forward_applies(net, input));  // grad mode on: training needs the graph
  auto out = mlp_forward(net, input);
  EXPECT_TRUE(out.requires_grad());
  torch::NoGradGuard no_grad;
  EXPECT_FALSE(direct_forward_applies(net, input.to(torch::kFloat64)));
  EXPECT_FALSE(direct_forward_applies(net, torch::randn({6, 5})));  // wrong width: LibTorch names it
  EXPECT_THROW(mlp_forward(net, torch::randn({6, 5})), c10::Error);
}

TEST(MlpForward, FlowVelocityAndCfmLossMatchTheTensorPath) {
  torch::manual_seed(5);
  for (const char* predict : {"velocity", "action"}) {
    FlowPolicyConfig config;
    config.predict = predict;
    config.t_sampling = "grid";
    FlowPolicy policy(6, 2, config);
    auto obs = torch::randn({10, 6}), x = torch::randn({10, 2});
    auto t = torch::randint(1, 11, {10}) / 10.0;
    auto act = torch::randn({10, 2});
    auto tm = torch::randint(1, 11, {10, 8}) / 10.0;
    auto eps = torch::randn({10, 8, 2});
    // Grad mode on: the tensor path.
    auto v_tensor = policy.velocity(obs, x, t).detach();
    auto l_tensor = policy.cfm_loss(obs, act, tm, eps).detach();
    torch::NoGradGuard no_grad;
    EXPECT_LT(max_abs_diff(policy.velocity(obs, x, t), v_tensor), 1e-5) << predict;
    EXPECT_LT(max_abs_diff(policy.cfm_loss(obs, act, tm, eps), l_tensor), 1e-5) << predict;
  }
}

TEST(MlpForward, FlowSamplingMatchesTheTensorPathForEverySampler) {
  torch::manual_seed(6);
  FlowPolicyConfig config;
  config.sampler_noise = 0.5;
  FlowPolicy policy(6, 2, config);
  auto obs = torch::randn({12, 6}), x1 = torch::randn({12, 2});
  for (auto kind : {FlowSamplerKind::kEuler, FlowSamplerKind::kMidpoint, FlowSamplerKind::kHeun,
                    FlowSamplerKind::kStochastic}) {
    policy.set_sampler(kind, 5);
    torch::manual_seed(7);  // the stochastic sampler's per-step draws
    auto expected = policy.sample(obs, x1).detach();  // grad mode on: the tensor path
    const auto after_tensor_path = torch::rand({1}).item<float>();
    torch::NoGradGuard no_grad;
    torch::manual_seed(7);
    auto got = policy.sample(obs, x1);
    EXPECT_LT(max_abs_diff(got, expected), 1e-5) << flow_sampler_name(kind);
    // Both drew the same number of normals from the stream.
    EXPECT_EQ(torch::rand({1}).item<float>(), after_tensor_path) << flow_sampler_name(kind);
  }
}

}  // namespace
}  // namespace fpo
