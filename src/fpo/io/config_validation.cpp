// Checks across options that the option table's per-key bounds cannot see.
#include <string>

#include "fpo/common/error.h"
#include "fpo/io/config_schema.h"

namespace fpo {

void validate_config(const TrainConfig& c) {
  const int64_t batch = static_cast<int64_t>(c.num_envs) * c.unroll;
  if (batch > kMaxRolloutSteps) {  // checked before anything is allocated
    throw Error("env.num_envs * train.unroll = " + std::to_string(c.num_envs) + " * " + std::to_string(c.unroll) +
                " = " + std::to_string(batch) + " transitions per iteration; allowed: at most " +
                std::to_string(kMaxRolloutSteps) + " (the paper preset uses 983040)");
  }
  if (batch < c.minibatches) {
    throw Error("train.minibatches = " + std::to_string(c.minibatches) + " exceeds the rollout size env.num_envs * " +
                "train.unroll = " + std::to_string(batch) + "; allowed: at most the rollout size");
  }
  if (c.gaussian.init_std <= c.gaussian.min_std) {
    throw Error("gaussian.init_std = " + std::to_string(c.gaussian.init_std) + " must be > gaussian.min_std = " +
                std::to_string(c.gaussian.min_std));
  }
  if (c.flow.t_embed_dim % 2 != 0) {
    throw Error("flow.t_embed_dim = " + std::to_string(c.flow.t_embed_dim) + " must be even");
  }
  if (c.dppo.t_embed_dim % 2 != 0) {
    throw Error("dppo.t_embed_dim = " + std::to_string(c.dppo.t_embed_dim) + " must be even");
  }
  if (c.advantages_per_minibatch && c.advantage != "group") {
    const int len = c.sequence_length > 0 ? c.sequence_length : c.unroll;
    if (c.unroll % len != 0) {
      throw Error("train.sequence_length = " + std::to_string(c.sequence_length) + " does not divide train.unroll = " +
                  std::to_string(c.unroll) + "; allowed: a divisor of train.unroll (or 0: the whole unroll)");
    }
    const int64_t sequences = static_cast<int64_t>(c.unroll / len) * c.num_envs;
    if (sequences < c.minibatches) {
      throw Error("train.minibatches = " + std::to_string(c.minibatches) + " exceeds the " +
                  std::to_string(sequences) + " sequences of a rollout (train.advantages_per_minibatch); allowed: "
                  "at most that");
    }
  }
  if (c.action_bound_penalty > 0 && (c.action_squash != "clip" || c.advantage != "gae")) {
    throw Error("train.action_bound_penalty = " + std::to_string(c.action_bound_penalty) +
                " has no effect with train.action_squash = '" + c.action_squash + "' and train.advantage = '" +
                c.advantage + "'; allowed: only with action_squash = clip and advantage = gae (or 0)");
  }
  if (c.kl_rollback > 0 && c.lr_schedule != "adaptive") {
    // With a fixed lr nothing makes the next attempt smaller: every iteration could be undone.
    throw Error("train.kl_rollback = " + std::to_string(c.kl_rollback) + " needs train.lr_schedule = adaptive (got '" +
                c.lr_schedule + "'), which lowers the lr after an undone iteration");
  }
  if (c.kl_measure != "proxy" && c.algo != "fpo") {
    throw Error("train.kl_measure = " + c.kl_measure + " needs algo = fpo (a flow policy), got algo = '" + c.algo +
                "'; allowed for it: proxy");
  }
  if (c.kl_proxy_slack != TrainConfig{}.kl_proxy_slack && c.kl_measure != "max") {
    throw Error("train.kl_proxy_slack = " + format_double(c.kl_proxy_slack) + " has no effect with train.kl_measure = " +
                c.kl_measure + "; allowed: only with train.kl_measure = max");
  }
  if (c.entropy_coef > 0 && c.algo == "dppo") {
    throw Error("train.entropy_coef = " + std::to_string(c.entropy_coef) +
                " has no effect with algo = dppo (no entropy estimate); allowed: 0 for dppo");
  }
  if (c.adaptive_lr_min > c.adaptive_lr_max) {
    throw Error("train.adaptive_lr_min = " + std::to_string(c.adaptive_lr_min) + " exceeds train.adaptive_lr_max = " +
                std::to_string(c.adaptive_lr_max));
  }
  if (c.advantage == "group" && c.num_envs % c.group_size != 0) {
    throw Error("env.num_envs = " + std::to_string(c.num_envs) + " is not divisible by train.group_size = " +
                std::to_string(c.group_size) + " (train.advantage = group); allowed: a multiple of train.group_size");
  }
}

}  // namespace fpo
