#pragma once
// The update every algorithm shares: epochs x minibatches of the surrogate
// (over the policy's log-ratio) plus the value loss, with Adam. The policy
// family's log_ratio is the only place where PPO, FPO and DPPO differ.
//
// Keeping the trust region honest at any budget: the KL proxy
// mean((r - 1) - log r) of each minibatch, against a target (train.target_kl,
// by default clip^2 / 2), can steer the policy's learning rate once per
// iteration (train.lr_schedule = adaptive), end an iteration early
// (train.kl_stop) and undo an iteration that left the region (train.kl_rollback).
#include <vector>

#include "fpo/algo/agent.h"
#include "fpo/algo/objective.h"
#include "fpo/algo/rollout_collector.h"
#include "fpo/algo/rollout_storage.h"

namespace fpo {

// Adam with two parameter groups, [policy at train.lr, critic at
// train.value_lr]; checkpoints store its state (and so an adaptive lr) in this layout.
std::unique_ptr<torch::optim::Adam> make_optimizer(Agent& agent, const TrainConfig& config);

// Clips the global gradient norm without a host sync (max_norm 0: no clipping);
// returns the norm before clipping.
torch::Tensor clip_grad_norm(const std::vector<torch::Tensor>& params, double max_norm);

// The KL-proxy target in force: train.target_kl, or clip^2 / 2 where it is 0.
double kl_target(const TrainConfig& config);

// The drift train.kl_measure steers by, from the last epoch's mean KL proxy and
// the samples' drift (their mean over states for "samples", else their median;
// ignored for "proxy").
double steering_drift(const TrainConfig& config, double proxy, double samples);

// Wall-clock seconds of the update's phases, summed over Adam steps, for
// `fpo bench train`. On CPU LibTorch runs each op before returning, so these
// are the phases' real costs; on CUDA they time only the kernel launches.
struct UpdateProfile {
  double advantages = 0;  // GAE and normalisation before the epochs
  double gather = 0;      // minibatch rows out of the rollout
  double forward = 0;     // log-ratio, surrogate, value and entropy losses
  double backward = 0;    // zero_grad + backward
  double optimizer = 0;   // gradient clipping + Adam step
  double bookkeeping = 0; // metric sums
  int64_t adam_steps = 0;
  int64_t samples = 0;    // minibatch rows (transitions), summed over Adam steps
};

class PpoUpdate {
 public:
  // collective: the job's ranks. Each rank computes its part of every
  // minibatch; gradients, advantage statistics and the KL proxy that steers
  // the lr are averaged over the ranks, so every rank takes the same step
  // (nullptr: one process).
  PpoUpdate(const TrainConfig& config, Agent& agent, torch::optim::Adam& optimizer, Collective* collective = nullptr);

  // One iteration's update on `rollout`; lr_factor scales the learning rates
  // (linear decay). Appends the losses and health metrics to `row`.
  void run(const RolloutStorage& rollout, double lr_factor, MetricsRow& row);
  // The policy's learning rate now (after decay or adaptation).
  double policy_lr() const;
  // Adds every later run()'s phase times to `profile` (nullptr: stop).
  void set_profile(UpdateProfile* profile) { profile_ = profile; }

 private:
  struct Minibatch {
    torch::Tensor obs, actions, advantages, returns;
    torch::Tensor weights;     // surrogate weights (group mask); undefined: all 1
    torch::Tensor value_mask;  // value-loss weights; undefined: all 1
    TensorMap memory;
  };
  // Row indices of each minibatch of one epoch (whole sequences with
  // per-minibatch advantages).
  std::vector<torch::Tensor> epoch_indices(const RolloutStorage& rollout) const;
  Minibatch gather(const RolloutStorage& rollout, const AdvantageTargets& targets, const torch::Tensor& idx);
  int64_t sequence_length(const RolloutStorage& rollout) const;
  // The policy lr follows the drift of the iteration just done: / 1.5 above
  // 2 x target, x 1.5 below target / 2. rsl_rl applies this rule after every
  // minibatch; with FPO's 80 minibatches per iteration that compounded to
  // 1e-2 within one iteration and then sat at the floor (docs/stability.md).
  void adapt_lr(double kl);
  // The policy's parameters and Adam moments before an iteration, for
  // train.kl_rollback.
  struct PolicySnapshot {
    std::vector<torch::Tensor> params;
    std::vector<std::unique_ptr<torch::optim::AdamParamState>> adam;  // nullptr: no Adam state yet
  };
  PolicySnapshot snapshot_policy(const std::vector<torch::Tensor>& params);
  void restore_policy(const std::vector<torch::Tensor>& params, const PolicySnapshot& snapshot);
  void set_lrs(double policy_lr, double critic_lr);
  // A scalar's value, averaged over the ranks (decisions every rank must share).
  double mean_over_ranks(const torch::Tensor& scalar) const;

  UpdateProfile* profile_ = nullptr;
  const TrainConfig& config_;
  Agent& agent_;
  torch::optim::Adam& optimizer_;
  Collective* collective_;
  TrustRegion trust_region_;
};

}  // namespace fpo
