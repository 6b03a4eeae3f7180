#pragma once
// Integrators that turn noise into an action by following a velocity field
// from t = 1 (noise) to t = 0 (action). FPO never looks at how actions were
// drawn, so the sampler is free at training and at evaluation time.
#include <torch/torch.h>

#include <functional>
#include <string>
#include <vector>

namespace fpo {

// velocity(x [N, A], t [N]) -> [N, A]
using VelocityField = std::function<torch::Tensor(const torch::Tensor&, const torch::Tensor&)>;

// With h = 1 / steps and the step going from t to t - h:
//   euler:      x <- x - h v(x, t)                                   (1st order)
//   midpoint:   x <- x - h v(x - h/2 v(x, t), t - h/2)               (2nd order)
//   heun:       x <- x - h/2 (v(x, t) + v(x - h v(x, t), t - h))     (2nd order)
//   stochastic: Euler-Maruyama on the reverse SDE with the same marginals as
//               the flow (the interpolation x_t = t eps + (1 - t) a):
//               x <- x - h (v + g^2 / (2t) eps_hat) + g sqrt(h) z,
//               eps_hat = x + (1 - t) v, z ~ N(0, I), g = the noise scale.
//               g = 0 is exactly Euler.
enum class FlowSamplerKind { kEuler, kMidpoint, kHeun, kStochastic };

// Accepts euler | midpoint | heun | stochastic; throws fpo::Error naming the allowed ones.
FlowSamplerKind parse_flow_sampler(const std::string& name);
std::string flow_sampler_name(FlowSamplerKind kind);
// The allowed sampler names, in the order above (for option tables and help).
const std::vector<std::string>& flow_sampler_names();

// Integrates from x1 (at t = 1) to t = 0 with `steps` uniform steps.
// `noise` is the stochastic sampler's g (ignored by the others; must be >= 0).
torch::Tensor integrate_flow(const VelocityField& velocity, const torch::Tensor& x1, int steps,
                             FlowSamplerKind kind, double noise = 0.0);

// The same integration on raw float rows, for callers without autograd
// (acting, where LibTorch's per-op cost outweighs the arithmetic).
// `velocity(x, t, v)` writes v(x, t) for all `count` values of x;
// `normal(z)` fills `count` N(0, 1) draws, called once per stochastic step
// after the velocity, where integrate_flow draws them. x holds x1 on entry
// and the action on return.
using DirectVelocityField = std::function<void(const float* x, float t, float* v)>;
using NormalDraws = std::function<void(float* z)>;
void integrate_flow_direct(const DirectVelocityField& velocity, float* x, int64_t count, int steps,
                           FlowSamplerKind kind, double noise, const NormalDraws& normal);

}  // namespace fpo
