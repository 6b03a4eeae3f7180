#include "fpo/policy/flow_sampler.h"

#include <cmath>
#include <vector>

#include "fpo/common/error.h"

namespace fpo {

const std::vector<std::string>& flow_sampler_names() {
  static const std::vector<std::string> names = {"euler", "midpoint", "heun", "stochastic"};
  return names;
}

FlowSamplerKind parse_flow_sampler(const std::string& name) {
  if (name == "euler") return FlowSamplerKind::kEuler;
  if (name == "midpoint") return FlowSamplerKind::kMidpoint;
  if (name == "heun") return FlowSamplerKind::kHeun;
  if (name == "stochastic") return FlowSamplerKind::kStochastic;
  std::string allowed;
  for (const auto& n : flow_sampler_names()) allowed += (allowed.empty() ? "" : ", ") + n;
  throw Error("unknown flow sampler '" + name + "'; allowed: " + allowed);
}

std::string flow_sampler_name(FlowSamplerKind kind) {
  switch (kind) {
    case FlowSamplerKind::kEuler: return "euler";
    case FlowSamplerKind::kMidpoint: return "midpoint";
    case FlowSamplerKind::kHeun: return "heun";
    case FlowSamplerKind::kStochastic: return "stochastic";
  }
  return "?";
}

torch::Tensor integrate_flow(const VelocityField& velocity, const torch::Tensor& x1, int steps,
                             FlowSamplerKind kind, double noise) {
  if (steps < 1) throw Error("flow steps must be >= 1, got " + std::to_string(steps));
  if (!(noise >= 0.0)) throw Error("flow sampler noise must be >= 0, got " + std::to_string(noise));
  const double dt = 1.0 / steps;
  auto x = x1;
  // Fresh time tensors each step: a velocity field may keep them (autograd).
  const auto at = [&](double time) { return torch::full({x1.size(0)}, time, x1.options()); };
  torch::Tensor t2;  // the second evaluation time of two-stage samplers
  for (int k = steps; k >= 1; --k) {
    const double tk = k * dt;
    const auto t = at(tk);
    switch (kind) {
      case FlowSamplerKind::kEuler:
        x = x - dt * velocity(x, t);
        break;
      case FlowSamplerKind::kMidpoint: {
        t2 = at(tk - 0.5 * dt);
        auto x_mid = x - (0.5 * dt) * velocity(x, t);
        x = x - dt * velocity(x_mid, t2);
        break;
      }
      case FlowSamplerKind::kHeun: {
        t2 = at((k - 1) * dt);
        auto v1 = velocity(x, t);
        auto v2 = velocity(x - dt * v1, t2);
        x = x - (0.5 * dt) * (v1 + v2);
        break;
      }
      case FlowSamplerKind::kStochastic: {
        auto v = velocity(x, t);
        if (noise == 0.0) {
          x = x - dt * v;  // exactly Euler
          break;
        }
        // Score of the marginal at t: -E[eps | x_t] / t, with E[eps | x_t] = x + (1 - t) v.
        auto eps_hat = x + (1.0 - tk) * v;
        x = x - dt * (v + (noise * noise / (2.0 * tk)) * eps_hat) + (noise * std::sqrt(dt)) * torch::randn_like(x);
        break;
      }
    }
  }
  return x;
}

void integrate_flow_direct(const DirectVelocityField& velocity, float* x, int64_t count, int steps,
                           FlowSamplerKind kind, double noise, const NormalDraws& normal) {
  if (steps < 1) throw Error("flow steps must be >= 1, got " + std::to_string(steps));
  if (!(noise >= 0.0)) throw Error("flow sampler noise must be >= 0, got " + std::to_string(noise));
  const double dt = 1.0 / steps;
  const float h = static_cast<float>(dt), half_h = static_cast<float>(0.5 * dt);
  std::vector<float> v(count), v2, x2;
  if (kind == FlowSamplerKind::kMidpoint || kind == FlowSamplerKind::kHeun) v2.resize(count), x2.resize(count);
  if (kind == FlowSamplerKind::kStochastic && noise > 0) v2.resize(count);
  for (int k = steps; k >= 1; --k) {
    const double tk = k * dt;
    velocity(x, static_cast<float>(tk), v.data());
    switch (kind) {
      case FlowSamplerKind::kEuler:
        for (int64_t i = 0; i < count; ++i) x[i] -= h * v[i];
        break;
      case FlowSamplerKind::kMidpoint:
        for (int64_t i = 0; i < count; ++i) x2[i] = x[i] - half_h * v[i];
        velocity(x2.data(), static_cast<float>(tk - 0.5 * dt), v2.data());
        for (int64_t i = 0; i < count; ++i) x[i] -= h * v2[i];
        break;
      case FlowSamplerKind::kHeun:
        for (int64_t i = 0; i < count; ++i) x2[i] = x[i] - h * v[i];
        velocity(x2.data(), static_cast<float>((k - 1) * dt), v2.data());
        for (int64_t i = 0; i < count; ++i) x[i] -= half_h * (v[i] + v2[i]);
        break;
      case FlowSamplerKind::kStochastic: {
        if (noise == 0.0) {
          for (int64_t i = 0; i < count; ++i) x[i] -= h * v[i];
          break;
        }
        normal(v2.data());  // z
        const float c = static_cast<float>(noise * noise / (2.0 * tk)), s = static_cast<float>(1.0 - tk);
        const float g = static_cast<float>(noise * std::sqrt(dt));
        for (int64_t i = 0; i < count; ++i) {
          const float eps_hat = x[i] + s * v[i];
          x[i] = x[i] - h * (v[i] + c * eps_hat) + g * v2[i];
        }
        break;
      }
    }
  }
}

}  // namespace fpo
