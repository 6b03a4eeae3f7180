#include "fpo/algo/gae.h"

namespace fpo {

torch::Tensor compute_gae(const torch::Tensor& rewards, const torch::Tensor& values,
                          const torch::Tensor& next_values, const torch::Tensor& dones, double gamma,
                          double lambda) {
  const int64_t steps = rewards.size(0);
  auto deltas = rewards + gamma * next_values - values;
  auto carry = (1.0 - dones) * (gamma * lambda);
  auto advantages = torch::empty_like(rewards);
  auto running = torch::zeros_like(rewards[0]);
  for (int64_t t = steps - 1; t >= 0; --t) {
    running = deltas[t] + carry[t] * running;
    advantages[t] = running;
  }
  return advantages;
}

}  // namespace fpo
