// An environment defined outside fpo, trained with FPO through the library.
//
// "reach": a point on the line [-1, 1] has 20 steps to get to a target. The
// observation is (position, target); the action a in [-1, 1] moves the point
// by 0.1 a; every step is rewarded with minus the distance to the target. The
// untrained policy barely moves (return about -13); going straight to the
// target is the best one can do (about -3 on average).
//
// Usage: custom_env [seed]   prints the mean return before and after training.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include <fpo/algo/evaluate.h>
#include <fpo/algo/trainer.h>
#include <fpo/env/env.h>

class Reach : public fpo::Env {
 public:
  void reset(fpo::Rng& rng, float* obs) override {
    x_ = fpo::uniform(rng, -1.0, 1.0);
    target_ = fpo::uniform(rng, -1.0, 1.0);
    observe(obs);
  }
  // The action arrives clipped to [-1, 1]; episodes end by truncation at
  // spec.max_episode_steps, so the step never sets terminated.
  fpo::StepResult step(const float* action, fpo::Rng&, float* obs) override {
    x_ = std::clamp(x_ + 0.1 * action[0], -1.0, 1.0);
    observe(obs);
    fpo::StepResult result;
    result.reward = static_cast<float>(-std::abs(target_ - x_));
    return result;
  }

 private:
  void observe(float* obs) const {
    obs[0] = static_cast<float>(x_);
    obs[1] = static_cast<float>(target_);
  }
  double x_ = 0.0, target_ = 0.0;
};

// What the trainer needs to build any number of copies of the environment.
fpo::EnvFactory reach() {
  fpo::EnvFactory factory;
  factory.spec.name = "example:reach";
  factory.spec.obs_dim = 2;
  factory.spec.act_dim = 1;
  factory.spec.max_episode_steps = 20;
  factory.spec.reward_summary = "-|target - position| per step, 20 steps";
  factory.make = [] { return std::make_unique<Reach>(); };
  return factory;
}

// Mean return of 256 episodes with noise-free actions.
double mean_return(fpo::Trainer& trainer, const fpo::EnvFactory& env) {
  fpo::EvalOptions options;
  options.episodes = 256;
  options.deterministic = true;
  options.seed = 1;
  const fpo::EvalResult result = fpo::evaluate(trainer.agent(), env, options, trainer.device());
  double sum = 0.0;
  for (double r : result.returns) sum += r;
  return sum / static_cast<double>(result.returns.size());
}

int main(int argc, char** argv) {
  // FPO with its defaults (a flow policy, the CFM-loss ratio, PPO's clip),
  // and a budget that fits a few seconds of one CPU core.
  fpo::TrainConfig config;
  config.algo = "fpo";
  config.seed = argc > 1 ? std::atoll(argv[1]) : 0;
  config.steps = 40000;
  config.num_envs = 32;
  config.unroll = 32;
  config.epochs = 4;
  config.minibatches = 4;
  config.lr = 1e-3;
  config.gamma = 0.95;
  config.reward_scale = 1.0;
  config.value_hidden = "64,64";
  config.threads = 1;  // env stepping threads (LibTorch uses config.torch_threads = 1)

  const fpo::EnvFactory env = reach();
  fpo::Trainer trainer(config, env);
  const double before = mean_return(trainer, env);
  while (!trainer.finished()) trainer.iterate();
  const double after = mean_return(trainer, env);
  std::printf("return before training: %.2f\nreturn after training:  %.2f\n", before, after);
  return 0;
}
