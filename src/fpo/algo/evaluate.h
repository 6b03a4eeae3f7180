#pragma once
// Policy evaluation: each episode runs in its own env, all in parallel (in
// waves of at most max_parallel envs), and only each env's first episode
// counts, so short episodes are not over-represented.
#include <ostream>
#include <vector>

#include "fpo/algo/agent.h"
#include "fpo/env/env.h"

namespace fpo {

struct EvalOptions {
  int episodes = 128;
  bool deterministic = false;  // noise-free actions (flow: zero initial noise)
  uint64_t seed = 0;
  int threads = 1;
  int max_parallel = 1024;
  // If set, one CSV row per (episode, step): episode,step,obs_0..obs_{D-1}.
  std::ostream* trajectories = nullptr;
};

struct EvalResult {
  std::vector<double> returns;
  std::vector<int> lengths;
  std::vector<int> outcomes;  // -1 or index into the env's outcome_names
};

EvalResult evaluate(Agent& agent, const EnvFactory& factory, const EvalOptions& options, const torch::Device& device);

// Drives envs with a function of the raw observations [N, obs_dim] -> actions
// [N, act_dim] (e.g. random or scripted controllers); same protocol as evaluate.
using BatchController = std::function<void(const float* obs, int n, float* actions)>;
EvalResult run_episodes(const EnvFactory& factory, const BatchController& controller, int episodes, uint64_t seed,
                        int threads, int max_parallel = 1024, std::ostream* trajectories = nullptr);

}  // namespace fpo
