// Flow samplers on fields whose exact flow is known: Euler is first order,
// midpoint and Heun second order (the error shrinks ~2x vs ~4x when the step
// count doubles), and the stochastic sampler has the flow's marginals and is
// exactly Euler at noise 0.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "fpo/common/error.h"
#include "fpo/policy/flow_sampler.h"

namespace fpo {
namespace {

// v(x, t) = x + t: dx/dt = x + t has x(t) = C e^t - t - 1; from x(1) = x1,
// x(0) = (x1 + 2) / e - 1.
const VelocityField kLinearField = [](const torch::Tensor& x, const torch::Tensor& t) {
  return x + t.unsqueeze(-1);
};
double linear_exact(double x1) { return (x1 + 2.0) / std::exp(1.0) - 1.0; }

// v(x, t) = x^2: from x(1) = x1, x(0) = x1 / (1 + x1).
const VelocityField kQuadraticField = [](const torch::Tensor& x, const torch::Tensor&) { return x * x; };
double quadratic_exact(double x1) { return x1 / (1.0 + x1); }

double error_at(const VelocityField& field, double x1, double exact, int steps, FlowSamplerKind kind) {
  auto x = integrate_flow(field, torch::full({1, 1}, x1, torch::kFloat64), steps, kind);
  return std::abs(x.item<double>() - exact);
}

struct OrderCase {
  FlowSamplerKind kind;
  double lo, hi;  // allowed error ratio when the steps double
};

TEST(Sampler, ErrorShrinksWithTheMethodsOrder) {
  const OrderCase cases[] = {
      {FlowSamplerKind::kEuler, 1.8, 2.2},
      {FlowSamplerKind::kMidpoint, 3.0, 5.0},
      {FlowSamplerKind::kHeun, 3.0, 5.0},
  };
  for (const auto& c : cases) {
    for (int field = 0; field < 2; ++field) {
      const auto& f = field == 0 ? kLinearField : kQuadraticField;
      const double x1 = field == 0 ? 0.7 : 0.5;
      const double exact = field == 0 ? linear_exact(x1) : quadratic_exact(x1);
      const double e10 = error_at(f, x1, exact, 10, c.kind), e20 = error_at(f, x1, exact, 20, c.kind);
      const double ratio = e10 / e20;
      EXPECT_GT(ratio, c.lo) << flow_sampler_name(c.kind) << " field " << field << ": " << e10 << " -> " << e20;
      EXPECT_LT(ratio, c.hi) << flow_sampler_name(c.kind) << " field " << field << ": " << e10 << " -> " << e20;
    }
  }
  // Second order really is more accurate at the same step count.
  EXPECT_LT(error_at(kLinearField, 0.7, linear_exact(0.7), 10, FlowSamplerKind::kHeun),
            0.1 * error_at(kLinearField, 0.7, linear_exact(0.7), 10, FlowSamplerKind::kEuler));
}

TEST(Sampler, HandComputedSingleSteps) {
  // One step (h = 1) of v(x, t) = x + t from x1 = 1 at t = 1:
  //   Euler:    1 - (1 + 1) = -1
  //   midpoint: x_mid = 1 - 0.5 * 2 = 0 at t = 0.5; x = 1 - (0 + 0.5) = 0.5
  //   Heun:     v1 = 2, x_pred = -1 at t = 0, v2 = -1; x = 1 - 0.5 * (2 - 1) = 0.5
  auto x1 = torch::ones({1, 1}, torch::kFloat64);
  EXPECT_DOUBLE_EQ(integrate_flow(kLinearField, x1, 1, FlowSamplerKind::kEuler).item<double>(), -1.0);
  EXPECT_DOUBLE_EQ(integrate_flow(kLinearField, x1, 1, FlowSamplerKind::kMidpoint).item<double>(), 0.5);
  EXPECT_DOUBLE_EQ(integrate_flow(kLinearField, x1, 1, FlowSamplerKind::kHeun).item<double>(), 0.5);
  // v = x^2 from x1 = 1, one step: midpoint: x_mid = 0.5, x = 1 - 0.25 = 0.75;
  // Heun: v1 = 1, x_pred = 0, v2 = 0, x = 0.5. They differ on nonlinear fields.
  EXPECT_DOUBLE_EQ(integrate_flow(kQuadraticField, x1, 1, FlowSamplerKind::kMidpoint).item<double>(), 0.75);
  EXPECT_DOUBLE_EQ(integrate_flow(kQuadraticField, x1, 1, FlowSamplerKind::kHeun).item<double>(), 0.5);
}

TEST(Sampler, EveryDeterministicSamplerIsExactOnAConstantField) {
  // v = c: x0 = x1 - c. With K = 8 and c = 0.75 every step is exact in binary.
  VelocityField constant = [](const torch::Tensor& x, const torch::Tensor&) { return torch::full_like(x, 0.75); };
  auto x1 = torch::tensor({{2.0, -1.0}}, torch::kFloat64);
  for (auto kind : {FlowSamplerKind::kEuler, FlowSamplerKind::kMidpoint, FlowSamplerKind::kHeun}) {
    auto x0 = integrate_flow(constant, x1, 8, kind);
    EXPECT_EQ(x0[0][0].item<double>(), 1.25) << flow_sampler_name(kind);
    EXPECT_EQ(x0[0][1].item<double>(), -1.75) << flow_sampler_name(kind);
  }
}

TEST(Sampler, StochasticWithZeroNoiseIsEuler) {
  torch::manual_seed(1);
  auto x1 = torch::randn({5, 3}, torch::kFloat64);
  auto euler = integrate_flow(kQuadraticField, x1, 7, FlowSamplerKind::kEuler);
  auto stochastic = integrate_flow(kQuadraticField, x1, 7, FlowSamplerKind::kStochastic, 0.0);
  EXPECT_TRUE(torch::equal(euler, stochastic));
  // With noise it is not.
  auto noisy = integrate_flow(kQuadraticField, x1, 7, FlowSamplerKind::kStochastic, 0.5);
  EXPECT_GT((noisy - euler).abs().max().item<double>(), 1e-3);
}

TEST(Sampler, StochasticKeepsTheFlowsMarginals) {
  // Data a ~ N(m, s^2), x_t = t eps + (1 - t) a is N(mu_t, var_t) with mu_t = (1 - t) m,
  // var_t = t^2 + (1 - t)^2 s^2, and the exact velocity E[eps - a | x_t] is
  //   v(x, t) = -m + (t - (1 - t) s^2) / var_t (x - mu_t).
  // Any correct sampler started from N(0, 1) ends at N(m, s^2); the stochastic
  // one injects noise (g = 1: variance 1 in total) that its score drift removes.
  const double m = 0.3, s = 0.5;
  VelocityField field = [&](const torch::Tensor& x, const torch::Tensor& t_flat) {
    auto t = t_flat.unsqueeze(-1);
    auto var = t * t + (1.0 - t).pow(2) * (s * s);
    return -m + (t - (1.0 - t) * (s * s)) / var * (x - (1.0 - t) * m);
  };
  torch::manual_seed(7);
  auto x1 = torch::randn({20000, 1}, torch::kFloat64);
  auto x0 = integrate_flow(field, x1, 50, FlowSamplerKind::kStochastic, 1.0);
  EXPECT_NEAR(x0.mean().item<double>(), m, 0.02);
  EXPECT_NEAR(x0.std().item<double>(), s, 0.02);
  // The deterministic samplers agree.
  auto heun = integrate_flow(field, x1, 50, FlowSamplerKind::kHeun);
  EXPECT_NEAR(heun.std().item<double>(), s, 0.02);
}

TEST(Sampler, NamesRoundTripAndBadInputsThrow) {
  for (const auto& name : flow_sampler_names()) EXPECT_EQ(flow_sampler_name(parse_flow_sampler(name)), name);
  EXPECT_EQ(flow_sampler_names().size(), 4u);
  try {
    parse_flow_sampler("rk4");
    FAIL() << "unknown sampler accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("heun"), std::string::npos) << e.what();
  }
  EXPECT_THROW(integrate_flow(kLinearField, torch::zeros({1, 1}), 4, FlowSamplerKind::kStochastic, -0.1), Error);
  EXPECT_THROW(integrate_flow(kLinearField, torch::zeros({1, 1}), 0, FlowSamplerKind::kHeun), Error);
}

}  // namespace
}  // namespace fpo
