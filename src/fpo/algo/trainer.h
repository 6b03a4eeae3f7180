#pragma once
// The one PPO-style trainer shared by every algorithm: collect a rollout of
// N envs x T steps, compute GAE advantages, then epochs x minibatches of
// clipped-surrogate + value-loss steps with Adam. The policy family supplies
// actions and the log-ratio; nothing here knows whether it is FPO or PPO.
//
// With train.advantage = group (GRPO-style, for episodic tasks) an iteration
// instead resets every env, groups of train.group_size consecutive envs from
// the same initial state, runs one episode per env (at most the env's
// max_episode_steps), gives every step of an episode its group-relative
// return as advantage, masks the steps after an episode ended out of the
// loss, and trains no critic.
#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "fpo/algo/agent.h"
#include "fpo/algo/objective.h"
#include "fpo/algo/train_config.h"
#include "fpo/env/vec_env.h"

namespace fpo {

// One metrics row: ordered (name, value) pairs.
using MetricsRow = std::vector<std::pair<std::string, double>>;

struct TrainState {
  int64_t env_steps = 0;
  int64_t iteration = 0;
  double wall_time = 0.0;  // seconds of training, summed over resumed sessions
};

// Adam with two parameter groups, [policy at train.lr, critic at
// train.value_lr]; checkpoints store its state in this layout.
std::unique_ptr<torch::optim::Adam> make_optimizer(Agent& agent, const TrainConfig& config);

class Trainer {
 public:
  Trainer(const TrainConfig& config, const EnvFactory& env_factory);

  // Runs one rollout + update; returns its metrics row.
  MetricsRow iterate();
  bool finished() const { return state_.env_steps >= config_.steps; }
  // Env steps of one iteration: N x unroll; with group advantages the most an
  // iteration can take (N x max_episode_steps; it stops once every episode ended).
  int64_t steps_per_iteration() const;
  bool group_advantages() const { return config_.advantage == "group"; }

  Agent& agent() { return agent_; }
  torch::optim::Adam& optimizer() { return *optimizer_; }
  TrainState& state() { return state_; }
  const TrainConfig& config() const { return config_; }
  const torch::Device& device() const { return device_; }
  VecEnv& env() { return *env_; }

 private:
  struct Rollout {
    torch::Tensor obs, actions, rewards, values, next_values, dones;  // [T, N, ...]
    TensorMap memory;                                                 // [T, N, ...]
    torch::Tensor group_advantages, mask;                             // [T, N], group advantages only
  };
  // Reset seeds for group advantages: the same seed within a group, fresh each iteration.
  std::vector<uint64_t> group_seeds() const;
  void collect_rollout(MetricsRow& row);
  void update(MetricsRow& row);
  double current_lr() const;  // the policy's, after decay
  double lr_factor() const;    // linear decay factor in [0, 1]

  TrainConfig config_;
  torch::Device device_;
  std::unique_ptr<VecEnv> env_;
  Agent agent_;
  std::unique_ptr<torch::optim::Adam> optimizer_;
  TrainState state_;
  Rollout rollout_;
  int64_t rollout_steps_ = 0;        // T of the last rollout
  TrustRegion trust_region_ = TrustRegion::kClip;
  torch::Tensor obs_cpu_;            // the env's obs buffer viewed as a tensor (no copy)
  std::deque<double> recent_returns_, recent_lengths_;
  std::deque<int> recent_outcomes_;
};

// Clips the global gradient norm without a host sync; returns the norm before clipping.
torch::Tensor clip_grad_norm(const std::vector<torch::Tensor>& params, double max_norm);

}  // namespace fpo
