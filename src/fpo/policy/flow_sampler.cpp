#include "fpo/policy/flow_sampler.h"

#include "fpo/common/error.h"

namespace fpo {

FlowSamplerKind parse_flow_sampler(const std::string& name) {
  if (name == "euler") return FlowSamplerKind::kEuler;
  throw Error("unknown flow sampler '" + name + "'; allowed: euler");
}

std::string flow_sampler_name(FlowSamplerKind kind) {
  switch (kind) {
    case FlowSamplerKind::kEuler: return "euler";
  }
  return "?";
}

torch::Tensor integrate_flow(const VelocityField& velocity, const torch::Tensor& x1, int steps,
                             FlowSamplerKind kind) {
  if (steps < 1) throw Error("flow steps must be >= 1, got " + std::to_string(steps));
  const double dt = 1.0 / steps;
  auto x = x1;
  auto t = torch::empty({x1.size(0)}, x1.options());
  for (int k = steps; k >= 1; --k) {
    t.fill_(k * dt);
    switch (kind) {
      case FlowSamplerKind::kEuler:
        x = x - dt * velocity(x, t);
        break;
    }
  }
  return x;
}

}  // namespace fpo
