#pragma once
// Steps the environments with the current policy and fills a RolloutStorage:
// N envs x train.unroll steps, or with group advantages one episode per env
// from group-shared initial states (masking the steps after it ended).
// Keeps the window of recent episodes that the metrics report.
#include <deque>
#include <vector>

#include "fpo/algo/agent.h"
#include "fpo/algo/rollout_storage.h"
#include "fpo/dist/collective.h"
#include "fpo/env/vec_env.h"

namespace fpo {

// One metrics row: ordered (name, value) pairs.
using MetricsRow = std::vector<std::pair<std::string, double>>;
// The value of `name` in `row`; NaN where the row has none.
double metric(const MetricsRow& row, const std::string& name);

class RolloutCollector {
 public:
  // collective: the job's ranks, which merge observation statistics (nullptr: one process).
  RolloutCollector(const TrainConfig& config, VecEnv& env, const torch::Device& device,
                   Collective* collective = nullptr);

  // Fills `storage` (allocating it on first use); appends episode and timing metrics to `row`.
  void collect(Agent& agent, RolloutStorage& storage, int64_t iteration, MetricsRow& row);
  // Env steps an iteration takes at most.
  int64_t capacity() const;

  // The policy's spread: the std of kSpreadSamples actions drawn at each of
  // the rollout's last states, averaged over states and action dims. A flow
  // that collapses to a point mass shows it here first (docs/stability.md).
  // Draws from the default generator and puts its state back, so training is
  // the same with or without this metric.
  static double action_spread(Agent& agent, const torch::Tensor& obs);

 private:
  bool group() const { return config_.advantage == "group"; }
  // Reset seeds for group advantages: the same seed within a group, fresh each iteration.
  std::vector<uint64_t> group_seeds(int64_t iteration) const;
  void record_episode(int env_index);
  void report(MetricsRow& row) const;  // the recent-episode window's means

  const TrainConfig& config_;
  VecEnv& env_;
  torch::Device device_;
  Collective* collective_;
  torch::Tensor obs_cpu_, final_obs_cpu_;  // the env's buffers viewed as tensors (no copy)
  std::deque<double> recent_returns_, recent_lengths_;
  std::deque<int> recent_outcomes_;
};

}  // namespace fpo
