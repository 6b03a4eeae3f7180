#include "fpo/algo/evaluate.h"

#include <algorithm>
#include <optional>

#include "fpo/common/error.h"
#include "fpo/env/vec_env.h"
#include "fpo/policy/generator_restore.h"

namespace fpo {

EvalResult run_episodes(const EnvFactory& factory, const BatchController& controller, int episodes, uint64_t seed,
                        int threads, int max_parallel, std::ostream* trajectories) {
  if (episodes < 1) throw Error("episodes must be >= 1, got " + std::to_string(episodes));
  EvalResult result;
  result.returns.resize(episodes);
  result.lengths.resize(episodes);
  result.outcomes.resize(episodes);
  const int obs_dim = factory.spec.obs_dim;
  if (trajectories) {
    *trajectories << "episode,step";
    for (int j = 0; j < obs_dim; ++j) *trajectories << ",obs_" << j;
    *trajectories << "\n";
  }
  int wave = 0;
  for (int first = 0; first < episodes; first += max_parallel, ++wave) {
    const int n = std::min(max_parallel, episodes - first);
    VecEnv env(factory, n, threads, mix_seed(seed, 1000003ULL + wave));
    std::vector<float> actions(static_cast<size_t>(n) * factory.spec.act_dim);
    std::vector<uint8_t> finished(n, 0);
    int remaining = n;
    for (int step = 0; remaining > 0; ++step) {
      if (trajectories) {
        for (int i = 0; i < n; ++i) {
          if (finished[i]) continue;
          *trajectories << first + i << "," << step;
          for (int j = 0; j < obs_dim; ++j) *trajectories << "," << env.obs()[i * obs_dim + j];
          *trajectories << "\n";
        }
      }
      controller(env.obs(), n, actions.data());
      env.step(actions.data());
      for (int i = 0; i < n; ++i) {
        if (finished[i] || !env.done(i)) continue;
        finished[i] = 1;
        --remaining;
        result.returns[first + i] = env.episode_returns()[i];
        result.lengths[first + i] = env.episode_lengths()[i];
        result.outcomes[first + i] = env.episode_outcomes()[i];
        if (trajectories) {
          *trajectories << first + i << "," << step + 1;
          for (int j = 0; j < obs_dim; ++j) *trajectories << "," << env.final_obs()[i * obs_dim + j];
          *trajectories << "\n";
        }
      }
    }
  }
  return result;
}

EvalResult evaluate(Agent& agent, const EnvFactory& factory, const EvalOptions& options, const torch::Device& device) {
  torch::NoGradGuard no_grad;
  // Seeded sampling for a reproducible evaluation, while a training run that
  // evaluates in between (the learning tests) keeps its own random stream.
  GeneratorRestore keep_cpu(torch::kCPU);
  std::optional<GeneratorRestore> keep_device;
  if (!device.is_cpu()) keep_device.emplace(device);
  torch::manual_seed(options.seed);
  const int obs_dim = factory.spec.obs_dim, act_dim = factory.spec.act_dim;
  BatchController controller = [&](const float* obs, int n, float* actions) {
    auto o = torch::from_blob(const_cast<float*>(obs), {n, obs_dim}, torch::kFloat32).to(device);
    auto a = agent.env_action(
        agent.policy->act(agent.normalized(o), options.deterministic, /*with_memory=*/false).action);
    auto a_cpu = a.to(torch::kCPU).contiguous();
    std::copy(a_cpu.data_ptr<float>(), a_cpu.data_ptr<float>() + static_cast<int64_t>(n) * act_dim, actions);
  };
  return run_episodes(factory, controller, options.episodes, options.seed, options.threads, options.max_parallel,
                      options.trajectories);
}

}  // namespace fpo
