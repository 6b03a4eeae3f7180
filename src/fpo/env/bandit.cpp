#include "fpo/env/bandit.h"

#include <cmath>

#include "fpo/env/registry.h"

namespace fpo {

double bandit_reward(double a) {
  const double d = std::abs(a) - kBanditPeak;  // distance to the nearer peak
  return std::exp(-0.5 * d * d / (kBanditWidth * kBanditWidth));
}

namespace {

class TwoPeakBandit : public Env {
 public:
  void reset(Rng&, float* obs) override { obs[0] = 0.0f; }
  StepResult step(const float* action, Rng&, float* obs) override {
    obs[0] = 0.0f;
    StepResult r;
    r.reward = static_cast<float>(bandit_reward(action[0]));
    r.terminated = true;
    r.outcome = action[0] < 0 ? 0 : 1;
    return r;
  }
};

}  // namespace

void register_bandit_envs(EnvRegistry& registry) {
  registry.add("bandit:two_peaks", [](const EnvOptions&) {
    EnvFactory f;
    f.spec = {"bandit:two_peaks", 1, 1, 0.0, 1,
              "one step; reward exp(-(|a| - 0.6)^2 / (2 * 0.1^2)): two equal peaks at a = -0.6 and +0.6",
              {"left", "right"}};
    f.make = [] { return std::make_unique<TwoPeakBandit>(); };
    f.scripted = [](const float*, float* action) { action[0] = static_cast<float>(kBanditPeak); };
    return f;
  });
}

}  // namespace fpo
