// Small numerical building blocks checked against hand-computed values:
// the sinusoidal t-embedding, the Euler flow sampler and the running
// observation normaliser.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <vector>

#include "fpo/algo/running_norm.h"
#include "fpo/common/error.h"
#include "fpo/policy/flow_sampler.h"
#include "fpo/policy/time_embedding.h"

namespace fpo {
namespace {

void expect_tensor_near(const torch::Tensor& actual, const std::vector<double>& expected, double tol) {
  auto a = actual.to(torch::kFloat64).contiguous().reshape({-1});
  ASSERT_EQ(a.numel(), static_cast<int64_t>(expected.size()));
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_NEAR(a[static_cast<int64_t>(i)].item<double>(), expected[i], tol) << "element " << i;
  }
}

// ---------------------------------------------------------------------------
// sinusoidal_time_embedding: first half sin(pi 2^k t), second half cos(pi 2^k t).

TEST(TimeEmbedding, Dim4AtHandPickedTimes) {
  // dim 4: frequencies pi, 2 pi. Rows: [sin(pi t), sin(2 pi t), cos(pi t), cos(2 pi t)].
  auto t = torch::tensor({0.0, 0.25, 0.5, 1.0}, torch::kFloat64);
  auto e = sinusoidal_time_embedding(t, 4);
  ASSERT_EQ(e.sizes(), (std::vector<int64_t>{4, 4}));
  const double h = std::sqrt(0.5);  // sin(pi/4) = cos(pi/4)
  expect_tensor_near(e, {
                            0, 0, 1, 1,    // t = 0
                            h, 1, h, 0,    // t = 0.25: sin(pi/4), sin(pi/2), cos(pi/4), cos(pi/2)
                            1, 0, 0, -1,   // t = 0.5:  sin(pi/2), sin(pi),   cos(pi/2), cos(pi)
                            0, 0, -1, 1,   // t = 1:    sin(pi),   sin(2pi),  cos(pi),   cos(2pi)
                        },
                     1e-12);
}

TEST(TimeEmbedding, Dim8AtOneEighth) {
  // dim 8: frequencies pi, 2pi, 4pi, 8pi; at t = 1/8 the angles are pi/8, pi/4, pi/2, pi.
  auto e = sinusoidal_time_embedding(torch::tensor({0.125}, torch::kFloat64), 8);
  ASSERT_EQ(e.sizes(), (std::vector<int64_t>{1, 8}));
  expect_tensor_near(e,
                     {0.38268343236508978, 0.70710678118654757, 1.0, 0.0,     // sin(pi/8), sin(pi/4), sin(pi/2), sin(pi)
                      0.92387953251128674, 0.70710678118654757, 0.0, -1.0},  // cos(...)
                     1e-12);
}

TEST(TimeEmbedding, KeepsLeadingDimsAndFloat32) {
  auto t = torch::full({2, 3}, 0.5f);
  auto e = sinusoidal_time_embedding(t, 4);
  ASSERT_EQ(e.sizes(), (std::vector<int64_t>{2, 3, 4}));
  EXPECT_EQ(e.scalar_type(), torch::kFloat32);
  for (int i = 0; i < 2; ++i) {
    for (int j = 0; j < 3; ++j) expect_tensor_near(e[i][j], {1, 0, 0, -1}, 1e-6);
  }
}

TEST(TimeEmbedding, OddOrTooSmallDimThrows) {
  auto t = torch::zeros({3});
  EXPECT_THROW(sinusoidal_time_embedding(t, 7), Error);
  EXPECT_THROW(sinusoidal_time_embedding(t, 1), Error);
  EXPECT_THROW(sinusoidal_time_embedding(t, 0), Error);
  try {
    sinusoidal_time_embedding(t, 5);
    FAIL() << "dim 5 accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("5"), std::string::npos) << e.what();
  }
}

// ---------------------------------------------------------------------------
// integrate_flow (Euler) from t = 1 down to t = 0.

TEST(EulerSampler, ExactOnConstantVelocity) {
  // dx/dt = c, integrated from t = 1 to t = 0: x0 = x1 - c, for any number of steps.
  auto c = torch::tensor({{0.5, -2.0, 3.0}, {-1.0, 0.25, 0.0}}, torch::kFloat64);
  auto x1 = torch::tensor({{1.0, 2.0, 3.0}, {-4.0, 5.0, 0.5}}, torch::kFloat64);
  VelocityField field = [&](const torch::Tensor& x, const torch::Tensor&) { return c.expand_as(x); };
  for (int steps : {1, 2, 3, 10, 64}) {
    auto x0 = integrate_flow(field, x1, steps, FlowSamplerKind::kEuler);
    expect_tensor_near(x0, {0.5, 4.0, 0.0, -3.0, 4.75, 0.5}, 1e-12);
  }
}

TEST(EulerSampler, VisitsGridTimesFromOneDown) {
  std::vector<double> seen;
  VelocityField field = [&](const torch::Tensor& x, const torch::Tensor& t) {
    EXPECT_EQ(t.sizes(), (std::vector<int64_t>{x.size(0)}));
    seen.push_back(t[0].item<double>());
    EXPECT_TRUE(torch::all(t == t[0]).item<bool>());
    return torch::zeros_like(x);
  };
  auto x1 = torch::ones({3, 2}, torch::kFloat64);
  integrate_flow(field, x1, 4, FlowSamplerKind::kEuler);
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_DOUBLE_EQ(seen[0], 1.0);
  EXPECT_DOUBLE_EQ(seen[1], 0.75);
  EXPECT_DOUBLE_EQ(seen[2], 0.5);
  EXPECT_DOUBLE_EQ(seen[3], 0.25);
}

TEST(EulerSampler, LinearFieldMatchesEulerRecursion) {
  // v(x, t) = x: each Euler step x <- x - dt x = (1 - dt) x, so with K = 2
  // x0 = (1 - 1/2)^2 x1 = x1 / 4 (the exact flow would give x1 / e).
  VelocityField field = [](const torch::Tensor& x, const torch::Tensor&) { return x; };
  auto x1 = torch::tensor({{4.0, -8.0}}, torch::kFloat64);
  expect_tensor_near(integrate_flow(field, x1, 2, FlowSamplerKind::kEuler), {1.0, -2.0}, 1e-12);
  // And v(x, t) = t: x0 = x1 - dt * sum_k (k dt) = x1 - (K + 1) / (2K); K = 4 -> x1 - 0.625.
  VelocityField time_field = [](const torch::Tensor& x, const torch::Tensor& t) {
    return t.unsqueeze(-1).expand_as(x);
  };
  expect_tensor_near(integrate_flow(time_field, x1, 4, FlowSamplerKind::kEuler), {3.375, -8.625}, 1e-12);
}

TEST(EulerSampler, RejectsBadStepsAndNames) {
  VelocityField field = [](const torch::Tensor& x, const torch::Tensor&) { return x; };
  EXPECT_THROW(integrate_flow(field, torch::zeros({1, 1}), 0, FlowSamplerKind::kEuler), Error);
  EXPECT_EQ(parse_flow_sampler("euler"), FlowSamplerKind::kEuler);
  EXPECT_EQ(flow_sampler_name(FlowSamplerKind::kEuler), "euler");
  try {
    parse_flow_sampler("rk99");
    FAIL() << "unknown sampler accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("rk99"), std::string::npos) << e.what();
  }
}

// ---------------------------------------------------------------------------
// RunningNorm: parallel Welford update.

TEST(RunningNorm, TwoBatchesEqualTheirConcatenation) {
  torch::manual_seed(3);
  auto a = torch::randn({37, 3}, torch::kFloat64) * 2.0 + 5.0;
  auto b = torch::randn({11, 3}, torch::kFloat64) * 0.5 - 1.0;
  auto all = torch::cat({a, b}, 0);

  RunningNorm two(3), one(3);
  two->update(a);
  two->update(b);
  one->update(all);
  // Same prior (count 1e-4, mean 0, var 1) either way: equal up to rounding.
  EXPECT_TRUE(torch::allclose(two->mean(), one->mean(), 1e-12, 1e-12));
  EXPECT_TRUE(torch::allclose(two->var(), one->var(), 1e-12, 1e-12));
  EXPECT_NEAR(two->count().item<double>(), 48.0001, 1e-9);

  // And equal to the plain population statistics of the data, up to the
  // tiny prior count (1e-4 against 48 samples).
  auto mean = all.mean(0), var = all.var(0, /*unbiased=*/false);
  for (int j = 0; j < 3; ++j) {
    EXPECT_NEAR(two->mean()[j].item<double>(), mean[j].item<double>(), 1e-4 * std::abs(mean[j].item<double>()) + 1e-9);
    EXPECT_NEAR(two->var()[j].item<double>(), var[j].item<double>(), 2e-4 * var[j].item<double>() + 1e-6);
  }
}

TEST(RunningNorm, HandComputedSmallCase) {
  // Data per dim: {1, 3} then {5}: mean 3, population var ((1-3)^2 + 0 + (5-3)^2) / 3 = 8/3.
  RunningNorm norm(1);
  norm->update(torch::tensor({{1.0}, {3.0}}, torch::kFloat64));
  norm->update(torch::tensor({{5.0}}, torch::kFloat32));  // float input is accepted too
  EXPECT_NEAR(norm->mean().item<double>(), 3.0, 1e-3);
  EXPECT_NEAR(norm->var().item<double>(), 8.0 / 3.0, 1e-3);
  // normalize: (x - mean) / sqrt(var + 1e-8), clipped to +-10, in x's dtype.
  auto z = norm->normalize(torch::tensor({{3.0f + 2.0f * std::sqrt(8.0f / 3.0f)}}));
  EXPECT_EQ(z.scalar_type(), torch::kFloat32);
  EXPECT_NEAR(z.item<double>(), 2.0, 1e-3);
  EXPECT_NEAR(norm->normalize(torch::tensor({{1e6}}, torch::kFloat64)).item<double>(), 10.0, 1e-12);
  EXPECT_NEAR(norm->normalize(torch::tensor({{-1e6}}, torch::kFloat64)).item<double>(), -10.0, 1e-12);
}

TEST(RunningNorm, HostLoopsMatchTheTensorPath) {
  // Float batches on the CPU take plain loops (the rollout's path); double
  // batches the tensor ops. Same data, same statistics and normalised rows.
  torch::manual_seed(4);
  RunningNorm loops(4), tensors(4);
  for (int k = 0; k < 5; ++k) {
    auto batch = torch::randn({32, 4}) * (1.0 + k) + k;
    loops->update(batch);
    tensors->update(batch.to(torch::kFloat64));
  }
  EXPECT_TRUE(torch::allclose(loops->mean(), tensors->mean(), 1e-10, 1e-12));
  EXPECT_TRUE(torch::allclose(loops->var(), tensors->var(), 1e-10, 1e-12));
  EXPECT_DOUBLE_EQ(loops->count().item<double>(), tensors->count().item<double>());
  auto x = torch::randn({8, 4}) * 30;  // some rows past the clip
  auto expected = tensors->normalize(x);  // grad mode on: tensor ops
  torch::NoGradGuard no_grad;
  auto got = loops->normalize(x);
  EXPECT_LT((got - expected).abs().max().item<float>(), 1e-5);
  EXPECT_FLOAT_EQ(got.abs().max().item<float>(), 10.0f);
}

}  // namespace
}  // namespace fpo
