#pragma once
// The runner every algorithm shares: each iteration collects a rollout
// (RolloutCollector -> RolloutStorage), updates policy and critic (PpoUpdate),
// and reports one metrics row, checking that training stays finite and
// warning when the policy leaves its trust region.
//
// With train.advantage = group (GRPO-style, for episodic tasks) an iteration
// instead resets every env, groups of train.group_size consecutive envs from
// the same initial state, runs one episode per env (at most the env's
// max_episode_steps), gives every step of an episode its group-relative
// return as advantage, masks the steps after an episode ended out of the
// loss, and trains no critic.
//
// In a distributed job (a Collective of several ranks, docs/distributed.md)
// every rank steps its own env.num_envs environments and computes its part of
// each minibatch; env steps, episodes and the metrics are the job's, merged
// over the ranks.
#include <memory>
#include <string>

#include "fpo/algo/agent.h"
#include "fpo/algo/ppo_update.h"
#include "fpo/algo/rollout_collector.h"
#include "fpo/algo/rollout_storage.h"
#include "fpo/algo/train_config.h"
#include "fpo/env/vec_env.h"

namespace fpo {

// This process's seconds per phase, summed over the session's iterations
// (the metrics hold the job's means).
struct RankTimes {
  double env = 0, act = 0, update = 0;
};

struct TrainState {
  int64_t env_steps = 0;
  int64_t iteration = 0;
  double wall_time = 0.0;  // seconds of training, summed over resumed sessions
};

class Trainer {
 public:
  // collective nullptr: one process.
  Trainer(const TrainConfig& config, const EnvFactory& env_factory, std::shared_ptr<Collective> collective = nullptr);

  // Runs one rollout + update; returns its metrics row.
  MetricsRow iterate();
  bool finished() const { return state_.env_steps >= config_.steps; }
  // Env steps of one iteration: N x unroll; with group advantages the most an
  // iteration can take (N x max_episode_steps; it stops once every episode ended).
  int64_t steps_per_iteration() const;
  bool group_advantages() const { return config_.advantage == "group"; }
  // Seeds LibTorch's generator; rank r > 0 of a job draws from its own stream.
  void seed_torch(uint64_t seed);
  Collective& collective() { return *collective_; }
  const RankTimes& rank_times() const { return rank_times_; }

  Agent& agent() { return agent_; }
  torch::optim::Adam& optimizer() { return *optimizer_; }
  TrainState& state() { return state_; }
  const TrainConfig& config() const { return config_; }
  const torch::Device& device() const { return device_; }
  VecEnv& env() { return *env_; }
  // Times the update's phases into `profile` from the next iteration on (fpo bench train).
  void set_update_profile(UpdateProfile* profile) { update_->set_profile(profile); }
  // The health warning for a metrics row, or "" when the trust region holds.
  std::string health_warning(const MetricsRow& row);

 private:
  double lr_factor() const;  // linear decay factor in [0, 1]
  // The seed of this rank's stream (rank 0: `seed` itself, as in one process).
  uint64_t rank_seed(uint64_t seed) const;
  // Replaces each metric by the job's: sums of counts, means of the rest
  // (NaN where no rank has a value).
  void merge_over_ranks(MetricsRow& row);

  TrainConfig config_;
  std::shared_ptr<Collective> collective_;
  torch::Device device_;
  std::unique_ptr<VecEnv> env_;
  Agent agent_;
  std::unique_ptr<torch::optim::Adam> optimizer_;
  std::unique_ptr<RolloutCollector> collector_;
  std::unique_ptr<PpoUpdate> update_;
  RolloutStorage rollout_;
  TrainState state_;
  RankTimes rank_times_;
  int unhealthy_streak_ = 0;  // consecutive iterations outside the trust region
  int64_t last_warning_ = -1;  // iteration of the last health warning
};

}  // namespace fpo
