// The fused MLP kernels against LibTorch's own modules: outputs, and the
// gradients of the hand-written backward against autograd, for every
// activation make_mlp offers; and the fallbacks where the fused path does not apply.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <string>
#include <vector>

#include "fpo/common/error.h"
#include "fpo/policy/fused_mlp.h"
#include "fpo/policy/mlp_kernels.h"
#include "fpo/policy/mlp.h"

namespace fpo {
namespace {

double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.to(torch::kFloat64) - b.to(torch::kFloat64)).abs().max().item<double>();
}

// Gradients of a random weighting of the outputs, w.r.t. x and every parameter.
std::vector<torch::Tensor> gradients(torch::nn::Sequential& net, const torch::Tensor& x, bool fused,
                                     const torch::Tensor& weights) {
  net->zero_grad();
  auto xg = x.detach().clone().requires_grad_(true);
  auto y = fused ? mlp_forward(net, xg) : net->forward(xg);
  (y * weights).sum().backward();
  std::vector<torch::Tensor> out = {xg.grad().clone()};
  for (const auto& p : net->parameters()) out.push_back(p.grad().clone());
  return out;
}

class FusedMlpActivation : public ::testing::TestWithParam<std::string> {};

TEST_P(FusedMlpActivation, OutputsAndGradientsMatchLibTorch) {
  torch::manual_seed(3);
  auto net = make_mlp(7, {16, 12}, 3, GetParam(), 0.5);
  ASSERT_TRUE(mlp_is_fusable(net));
  auto x = torch::randn({37, 7}) * 2.0;
  {
    torch::NoGradGuard no_grad;
    EXPECT_LT(max_abs_diff(mlp_forward(net, x), net->forward(x)), 1e-5);
    auto rows = torch::empty({37, 3});
    mlp_forward_rows(net, x.data_ptr<float>(), 37, rows.data_ptr<float>());
    EXPECT_LT(max_abs_diff(rows, net->forward(x)), 1e-5);
  }
  auto weights = torch::randn({37, 3});
  auto expected = gradients(net, x, false, weights);
  auto actual = gradients(net, x, true, weights);
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i) {
    const double scale = expected[i].abs().max().item<double>();
    EXPECT_GT(scale, 0.0) << "tensor " << i;
    EXPECT_LT(max_abs_diff(actual[i], expected[i]), 1e-5 * (1.0 + scale)) << "tensor " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(EveryActivation, FusedMlpActivation, ::testing::Values("silu", "tanh", "relu", "elu"));

TEST(FusedMlp, ParameterGradientsWithoutInputGradient) {
  torch::manual_seed(4);
  auto net = make_mlp(5, {8}, 2, "silu");
  auto x = torch::randn({11, 5});  // data, as in the update: only the parameters need gradients
  auto y = mlp_forward(net, x);
  EXPECT_TRUE(y.requires_grad());
  y.pow(2).sum().backward();
  auto fused_grads = std::vector<torch::Tensor>{};
  for (const auto& p : net->parameters()) fused_grads.push_back(p.grad().clone());
  net->zero_grad();
  net->forward(x).pow(2).sum().backward();
  const auto params = net->parameters();
  for (size_t i = 0; i < params.size(); ++i) EXPECT_LT(max_abs_diff(fused_grads[i], params[i].grad()), 1e-5);
}

TEST(FusedMlp, LeadingDimensionsAndEmptyBatches) {
  torch::manual_seed(5);
  auto net = make_mlp(4, {6, 6}, 2, "tanh");
  torch::NoGradGuard no_grad;
  auto x = torch::randn({3, 5, 4});
  auto y = mlp_forward(net, x);
  EXPECT_EQ(y.sizes(), (std::vector<int64_t>{3, 5, 2}));
  EXPECT_LT(max_abs_diff(y, net->forward(x)), 1e-5);
  // Non-contiguous input (an expanded observation, as in the CFM loss).
  auto expanded = torch::randn({3, 1, 4}).expand({3, 5, 4});
  EXPECT_LT(max_abs_diff(mlp_forward(net, expanded), net->forward(expanded)), 1e-5);
  EXPECT_EQ(mlp_forward(net, torch::zeros({0, 4})).sizes(), (std::vector<int64_t>{0, 2}));
}

TEST(FusedMlp, FallsBackToLibTorchWhereItDoesNotApply) {
  torch::manual_seed(6);
  auto net = make_mlp(4, {6}, 2, "silu");
  auto x64 = torch::randn({5, 4}, torch::kFloat64);
  auto net64 = make_mlp(4, {6}, 2, "silu");
  net64->to(torch::kFloat64);
  EXPECT_FALSE(mlp_is_fusable(net64));
  EXPECT_LT(max_abs_diff(mlp_forward(net64, x64), net64->forward(x64)), 1e-12);
  torch::nn::Sequential other(torch::nn::Linear(4, 6), torch::nn::LayerNorm(torch::nn::LayerNormOptions({6})),
                              torch::nn::Linear(6, 2));
  EXPECT_FALSE(mlp_is_fusable(other));
  auto x = torch::randn({5, 4});
  EXPECT_LT(max_abs_diff(mlp_forward(other, x), other->forward(x)), 1e-6);
  float out[2];
  EXPECT_THROW(mlp_forward_rows(other, x.data_ptr<float>(), 1, out), Error);
  // A wrong input width is LibTorch's shape error, not a silent read past the row.
  EXPECT_THROW(mlp_forward(net, torch::randn({5, 3})), c10::Error);
}

}  // namespace
}  // namespace fpo

TEST(FusedMlp, VectorExpMatchesLibmOverTheFloatRange) {
  double worst = 0;
  for (float x = -87.0f; x <= 88.0f; x += 0.0137f) {
    const double exact = std::exp(static_cast<double>(x));
    worst = std::max(worst, std::abs(fpo::kernels::vector_exp(x) - exact) / exact);
  }
  EXPECT_LT(worst, 3e-7);  // ~2.5 float ulp
  EXPECT_TRUE(std::isnan(fpo::kernels::vector_exp(std::nanf(""))));
  EXPECT_GT(fpo::kernels::vector_exp(1000.0f), 1e38f);
  EXPECT_LT(fpo::kernels::vector_exp(-1000.0f), 1.2e-38f);
  EXPECT_EQ(fpo::kernels::vector_exp(0.0f), 1.0f);
}

TEST(FusedMlp, BackwardRefusesWeightsChangedSinceForward) {
  auto net = fpo::make_mlp(3, {4}, 2, "silu");
  auto y = fpo::mlp_forward(net, torch::randn({5, 3}));
  {
    torch::NoGradGuard no_grad;
    net->parameters()[0].add_(1.0);  // what an optimizer step between forward and backward would do
  }
  EXPECT_ANY_THROW(y.sum().backward());
}
