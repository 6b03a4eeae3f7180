#pragma once
// The DeepMind Control Suite reward shaping function: 1 inside [lower, upper],
// falling off outside with a chosen sigmoid so that it equals value_at_margin
// at distance `margin` from the bounds. margin == 0 gives a hard indicator.
#include <cmath>
#include <string>

#include "fpo/common/error.h"

namespace fpo::dmc {

enum class Sigmoid { kGaussian, kHyperbolic, kLongTail, kReciprocal, kCosine, kLinear, kQuadratic, kTanhSquared };

// x is the distance from the bounds in units of the margin (>= 0).
inline double sigmoid_value(double x, double value_at_1, Sigmoid kind) {
  constexpr double kPi = 3.14159265358979323846;
  switch (kind) {
    case Sigmoid::kGaussian: {
      const double scale = std::sqrt(-2.0 * std::log(value_at_1));
      return std::exp(-0.5 * (x * scale) * (x * scale));
    }
    case Sigmoid::kHyperbolic: {
      const double scale = std::acosh(1.0 / value_at_1);
      return 1.0 / std::cosh(x * scale);
    }
    case Sigmoid::kLongTail: {
      const double scale = std::sqrt(1.0 / value_at_1 - 1.0);
      return 1.0 / ((x * scale) * (x * scale) + 1.0);
    }
    case Sigmoid::kReciprocal: {
      const double scale = 1.0 / value_at_1 - 1.0;
      return 1.0 / (std::abs(x) * scale + 1.0);
    }
    case Sigmoid::kCosine: {
      const double scale = std::acos(2.0 * value_at_1 - 1.0) / kPi;
      const double sx = x * scale;
      return std::abs(sx) < 1.0 ? (1.0 + std::cos(kPi * sx)) / 2.0 : 0.0;
    }
    case Sigmoid::kLinear: {
      const double sx = x * (1.0 - value_at_1);
      return std::abs(sx) < 1.0 ? 1.0 - sx : 0.0;
    }
    case Sigmoid::kQuadratic: {
      const double sx = x * std::sqrt(1.0 - value_at_1);
      return std::abs(sx) < 1.0 ? 1.0 - sx * sx : 0.0;
    }
    case Sigmoid::kTanhSquared: {
      const double scale = std::atanh(std::sqrt(1.0 - value_at_1));
      const double t = std::tanh(x * scale);
      return 1.0 - t * t;
    }
  }
  return 0.0;
}

inline double tolerance(double x, double lower, double upper, double margin = 0.0,
                        Sigmoid sigmoid = Sigmoid::kGaussian, double value_at_margin = 0.1) {
  const bool in_bounds = lower <= x && x <= upper;
  if (margin == 0.0) return in_bounds ? 1.0 : 0.0;
  if (in_bounds) return 1.0;
  const double d = (x < lower ? lower - x : x - upper) / margin;
  return sigmoid_value(d, value_at_margin, sigmoid);
}

}  // namespace fpo::dmc
