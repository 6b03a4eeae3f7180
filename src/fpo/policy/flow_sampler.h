#pragma once
// Integrators that turn noise into an action by following a velocity field
// from t = 1 (noise) to t = 0 (action). FPO never looks at how actions were
// drawn, so the sampler is free at training and at evaluation time.
#include <torch/torch.h>

#include <functional>
#include <string>

namespace fpo {

// velocity(x [N, A], t [N]) -> [N, A]
using VelocityField = std::function<torch::Tensor(const torch::Tensor&, const torch::Tensor&)>;

enum class FlowSamplerKind { kEuler };

FlowSamplerKind parse_flow_sampler(const std::string& name);
std::string flow_sampler_name(FlowSamplerKind kind);

// Integrates from x1 (at t = 1) to t = 0 with `steps` uniform steps.
torch::Tensor integrate_flow(const VelocityField& velocity, const torch::Tensor& x1, int steps,
                             FlowSamplerKind kind);

}  // namespace fpo
