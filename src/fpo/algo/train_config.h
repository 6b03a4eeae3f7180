#pragma once
// Every knob of a training run. Defaults are DESIGN.md's (the FPO paper's)
// unless an env family or algorithm overrides them (io/presets.cpp). The
// names users type (--set train.lr=1e-3) are bound in io/config_schema.cpp.
#include <cstdint>
#include <string>

#include "fpo/policy/dppo_policy.h"
#include "fpo/policy/flow_policy.h"
#include "fpo/policy/gaussian_policy.h"

namespace fpo {

struct TrainConfig {
  // run
  std::string env = "gridworld:two_walls";
  std::string algo = "fpo";  // fpo | ppo | dppo
  int64_t steps = 1000000;   // total environment steps
  int64_t seed = 0;
  std::string device = "cpu";  // cpu | cuda | auto
  int torch_threads = 1;        // LibTorch intra-op threads on CPU; 0: LibTorch's default (one per core)
  double dist_timeout = 120;    // seconds a rank waits for the others (distributed jobs only)

  // environments
  int num_envs = 64;
  int threads = 0;            // env stepping threads; 0 = number of cores
  int max_episode_steps = 0;  // 0 = the env's own limit
  std::string start;          // gridworld: "x,y" start cell for every episode

  // PPO loop (shared by every algorithm)
  int unroll = 32;        // env steps per env per iteration
  int epochs = 16;
  int minibatches = 32;
  double lr = 3e-4;
  double value_lr = 0;  // critic's Adam learning rate; 0: same as lr
  // The policy's learning rate: constant, linear (decay to 0 over the run) or
  // adaptive (after each iteration, on the last epoch's mean KL proxy: / 1.5
  // above 2 x target_kl, x 1.5 below target_kl / 2, within
  // [adaptive_lr_min, adaptive_lr_max]).
  std::string lr_schedule = "constant";
  double target_kl = 0;       // KL-proxy target; 0: clip^2 / 2 (the trust region's own scale)
  double kl_stop = 0;         // end an iteration's epochs once a minibatch's KL proxy > kl_stop x target (0: off)
  double kl_rollback = 0;     // undo an iteration's policy update whose last-epoch KL proxy > kl_rollback x target (0: off)
  double adaptive_lr_min = 1e-5, adaptive_lr_max = 1e-2;
  // What the adaptive lr and kl_rollback read: the last epoch's KL proxy, or
  // (flow policies) the policy's sample_kl after the iteration, as the mean
  // over its states or their median (a few states whose flow has collapsed
  // to a point can make the mean jump by orders of magnitude).
  // "max" brakes on either: the larger of the proxy and the median.
  std::string kl_measure = "proxy";  // proxy | samples | samples_median | max
  // Under "max", the proxy is held to kl_proxy_slack x the target (the samples
  // to the target itself): the proxy over-reads a narrow flow's drift.
  double kl_proxy_slack = 2.0;
  double max_grad_norm = 0.5;  // 0: no gradient clipping
  double weight_decay = 0.0;   // the policy's Adam L2 weight decay (0: off)
  double log_ratio_guard = 3.0;  // log-ratios are clamped to [-g, g] before exp (every algorithm)
  double gamma = 0.995;
  double gae_lambda = 0.95;
  double value_coef = 0.25;
  double entropy_coef = 0.0;
  double reward_scale = 10.0;
  bool obs_norm = true;
  bool adv_norm = true;
  double clip = 0.05;
  std::string trust_region = "clip";  // clip (PPO) | aspo (FPO++: clip for A >= 0, SPO penalty for A < 0)
  std::string advantage = "gae";      // gae | group (GRPO-style, one episode per env, no critic)
  // Brax-style advantages: GAE and value targets recomputed for every
  // minibatch with the current critic, on whole sequences of sequence_length
  // steps, advantages normalised per minibatch, truncated steps left out of
  // the value loss. Off: GAE once per rollout with the rollout's critic.
  bool advantages_per_minibatch = false;
  int sequence_length = 0;  // steps per sequence with advantages_per_minibatch (0: the whole unroll)
  std::string action_squash = "clip";  // what the env receives: clip (to [-1, 1]) | tanh of the policy's action
  // Learning reward minus this x sum_i max(|a_i| - 1, 0)^2 for the action the
  // policy drew (clip only; GAE only): past the env's clip every action looks
  // alike to the advantage, and a policy can drift out there unopposed.
  double action_bound_penalty = 0;
  int group_size = 8;                 // envs per group with advantage = group

  // critic
  std::string value_hidden = "256,256,256,256,256";
  std::string value_activation = "silu";

  // policy families
  FlowPolicyConfig flow;
  GaussianPolicyConfig gaussian;
  DppoPolicyConfig dppo;

  // output
  int checkpoint_every = 50;  // iterations between periodic checkpoints (0: final only)
};

}  // namespace fpo
