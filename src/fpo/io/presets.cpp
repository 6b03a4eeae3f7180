#include "fpo/io/presets.h"

#include <utility>

#include "fpo/common/error.h"

namespace fpo {

namespace {

using Settings = std::vector<std::pair<std::string, std::string>>;

bool is_gridworld(const std::string& env) { return env.rfind("gridworld:", 0) == 0; }

// Small discrete-ish task: short episodes, tiny networks. The env pays +20 /
// -10 (the paper's); reward_scale 0.05 learns from +1 / -0.5, the scale these
// defaults were tuned and measured at.
const Settings kGridworldDefaults = {
    {"env.num_envs", "64"},   {"train.unroll", "32"},     {"train.epochs", "4"},
    {"train.minibatches", "4"}, {"train.lr", "1e-3"},     {"train.gamma", "0.99"},
    {"train.reward_scale", "0.05"}, {"value.hidden", "64,64"}, {"checkpoint_every", "20"},
};

// The FPO authors' GridWorld training (akanazawa/fpo gridworld/main.py and
// models/fpo.py); docs/gridworld.md has the table of their setting -> ours.
// 2048 env steps per iteration (16 envs x 128 steps: every env sees at least
// one whole 100-step episode), 10 epochs x 6 minibatches, one Adam lr 3e-4
// for actor and critic (their linear decay runs to 0 over 200M steps, so it
// is constant to within 1% over any run we make), clip 0.2, gamma 0.99, GAE
// lambda 0.98, gradient norm 0.5 for each network, unscaled rewards,
// advantages normalised per batch, no observation normalisation; FPO: 50
// (t, eps) pairs, uniform t, the log-ratio (their mean of differences)
// clamped to [-3, 3], a 2 x 64 ReLU velocity MLP, u-MSE, 10 Euler steps.
const Settings kGridworldPaper = {
    {"env.num_envs", "16"},       {"train.unroll", "128"},       {"train.epochs", "10"},
    {"train.minibatches", "6"},   {"train.lr", "3e-4"},          {"train.value_lr", "0"},
    {"train.lr_schedule", "constant"}, {"train.clip", "0.2"},    {"train.gamma", "0.99"},
    {"train.gae_lambda", "0.98"}, {"train.max_grad_norm", "0.5"}, {"train.value_coef", "1"},
    {"train.reward_scale", "1"},  {"train.obs_norm", "false"},   {"train.adv_norm", "true"},
    {"train.entropy_coef", "0"},  {"train.kl_stop", "0"},        {"train.trust_region", "clip"},
    {"train.advantages_per_minibatch", "false"},                 {"train.action_squash", "clip"},
    {"train.log_ratio_guard", "3"},
    {"value.hidden", "64,64"},    {"value.activation", "relu"},
    {"flow.hidden", "64,64"},     {"flow.activation", "relu"},   {"flow.output_scale", "1"},
    {"flow.n_mc", "50"},          {"flow.t_sampling", "uniform"}, {"flow.loss", "u"},
    {"flow.ratio", "mean"},       {"flow.loss_clamp", "0"},      {"flow.diff_clamp", "0"},
    {"flow.steps", "10"},         {"flow.sampler", "euler"},     {"flow.action_bound", "0"},
};
// Their Gaussian PPO (models/ppo.py): the same 2 x 64 ReLU MLP for the mean
// and a fixed covariance 0.5 I (std 0.707); ours learns a state-independent
// log-std from that start.
const Settings kGridworldPaperPpo = {
    {"gaussian.hidden", "64,64"}, {"gaussian.activation", "relu"}, {"gaussian.std_mode", "log_std"},
    {"gaussian.init_std", "0.7071"},
};

// The FPO authors' DM Control configuration (akanazawa/fpo playground,
// FpoConfig and its rollout/minibatch code), every option that the lower
// layers set: one iteration is 2048 envs x 480 steps = 983,040 transitions,
// cut into 30-step sequences and 32 minibatches of 1024 sequences; 16 epochs
// (512 Adam steps, ~5e-4 per sample); GAE recomputed per minibatch with the
// current critic; one learning rate for actor and critic, constant, no
// gradient clipping; the env receives tanh of the raw flow sample, on which
// the CFM loss is computed; t for the CFM pairs on the sampler's grid.
// Differences that remain: our overflow guard (train.log_ratio_guard), the
// observation statistics updated every step instead of once per iteration,
// and the t-embedding's frequencies (pi 2^k here, 2^k there).
const Settings kPaper = {
    {"env.num_envs", "2048"},     {"train.unroll", "480"},      {"train.sequence_length", "30"},
    {"train.advantages_per_minibatch", "true"},                 {"train.epochs", "16"},
    {"train.minibatches", "32"},  {"train.lr", "3e-4"},         {"train.value_lr", "0"},
    {"train.lr_schedule", "constant"}, {"train.max_grad_norm", "0"}, {"train.gamma", "0.995"},
    {"train.gae_lambda", "0.95"}, {"train.value_coef", "0.25"}, {"train.reward_scale", "10"},
    {"train.obs_norm", "true"},   {"train.adv_norm", "true"},   {"train.entropy_coef", "0"},
    {"train.action_squash", "tanh"}, {"train.kl_stop", "0"},
    {"value.hidden", "256,256,256,256,256"}, {"value.activation", "silu"},
    {"flow.hidden", "32,32,32,32"}, {"flow.activation", "silu"}, {"flow.output_scale", "0.25"},
    {"flow.t_embed_dim", "8"},    {"flow.steps", "10"},         {"flow.sampler", "euler"},
    {"flow.n_mc", "8"},           {"flow.loss", "eps"},         {"flow.ratio", "mean"},
    {"flow.t_sampling", "grid"},  {"flow.loss_clamp", "0"},     {"flow.diff_clamp", "0"},
    {"flow.action_bound", "0"},
    {"torch_threads", "0"},  // minibatches of ~30k samples: worth every core
};
// The paper's configuration on 2 cores: 256 envs instead of 2048, and 4
// minibatches instead of 32, which keeps the minibatch (1024 sequences of 30
// steps = 30,720 transitions) and the Adam steps per sample (16 x 4 / 122,880
// = 5.2e-4) the authors use; an iteration is 122,880 env steps.
const Settings kPaperCpu = {{"env.num_envs", "256"}, {"train.minibatches", "4"}};

// Per algorithm under the paper preset: FPO's clip, and the paper's tuned
// Gaussian PPO (lr 3e-4, clip 0.1; state-dependent std, entropy 1e-2 as in
// Playground's PPO config).
const Settings kPaperFpo = {{"train.clip", "0.05"}};
const Settings kPaperPpo = {{"train.clip", "0.1"}, {"train.entropy_coef", "0.01"},
                            {"gaussian.std_mode", "softplus"}, {"gaussian.hidden", "32,32,32,32"}};

// Sized for a 2-core machine: 2048 samples per iteration (32 envs x 64), a
// smaller critic. Measured on cartpole_balance and point_mass (docs/algorithms.md):
// with small batches the critic lags the policy unless it gets many updates
// (10 epochs x 8 minibatches) at a higher learning rate (value_lr 3e-3);
// with 4 x 4 updates PPO's return fell below the untrained policy's. gamma
// 0.99 beat 0.995 at these budgets (PPO cartpole 300k steps: 998 vs 637).
const Settings kCpu = {
    {"env.num_envs", "32"},       {"train.unroll", "64"},      {"train.epochs", "10"},
    {"train.minibatches", "8"},   {"train.lr", "3e-4"},        {"train.value_lr", "3e-3"},
    {"train.gamma", "0.99"},      {"train.reward_scale", "10"}, {"value.hidden", "128,128,128"},
    {"checkpoint_every", "20"},
};

// Plain FPO on top of the cpu preset: minibatches of 1024 (64 envs x 128
// steps, 8 minibatches) and 10 epochs. With minibatches of 256 the FPO ratio
// drifted out of its trust region on every task (clip fraction 0.3-0.7 by 1M
// steps); with 1024 it stayed at 0.03-0.2 and learned best of the 3 x 3
// study in docs/stability.md.
const Settings kCpuFpo = {
    {"env.num_envs", "64"}, {"train.unroll", "128"}, {"train.minibatches", "8"}, {"train.epochs", "10"},
};

// Every algorithm's own defaults, whatever the env family. FPO: an adaptive
// learning rate keeps the trust region over a long run (docs/stability.md
// section 19). It brakes on the drift of the sampled actions (median over
// states), which stays right as a MuJoCo flow narrows to a point, and on the
// KL proxy at twice the target, which sees a GridWorld flow spreading where
// the samples read calm. PPO and DPPO: the wider clip of the FPO paper's
// baselines.
void apply_algo_defaults(ConfigSchema& schema, const std::string& algo) {
  const std::string source = algo + " defaults";
  if (algo == "fpo") {
    schema.set("train.lr_schedule", "adaptive", source);
    schema.set("train.kl_measure", "max", source);
  }
  if (algo == "ppo" || algo == "dppo") schema.set("train.clip", "0.2", source);
}

// FPO++ (the follow-up paper's objective): one clipped ratio per (t, eps)
// pair, the asymmetric trust region, and clamps that keep single outlying
// CFM losses from dominating the ratio. An eps-MSE loss is ~1 per action
// dimension once the policy is trained, so 10 only cuts rare outliers (a pair
// with both losses above it carries no gradient); a difference of 0.5 is a
// ratio of exp(0.5) = 1.65, far outside any trust region in use (clip 0.05-0.2),
// so the clamp only guards exp against blow-ups. Rollouts use the stochastic
// sampler: its per-step noise keeps a floor (~0.16) under the spread of the
// actions explored, which Euler sampling lets collapse with the flow; with it
// cartpole_balance passed 800 within 3M steps where Euler stalled near 670
// (docs/training_mujoco.md). Evaluate with zero-noise sampling:
// `fpo eval --deterministic`.
// The preset keeps what it was measured with (docs/training_mujoco.md): a
// constant lr, actions clipped before the CFM loss, and on MuJoCo tasks the
// cpu preset's batch (32 envs x 64, minibatches of 256), not plain FPO's.
const Settings kFpoPlusPlus = {
    {"flow.ratio", "per_sample"},
    {"train.trust_region", "aspo"},
    {"flow.loss_clamp", "10"},
    {"flow.diff_clamp", "0.5"},
    {"flow.sampler", "stochastic"},
    {"train.lr_schedule", "constant"},
    {"train.kl_stop", "0"},
    {"flow.action_bound", "1"},
};

void apply(ConfigSchema& schema, const Settings& settings, const std::string& source) {
  for (const auto& [k, v] : settings) schema.set(k, v, source);
}

}  // namespace

const std::vector<std::string>& preset_names() {
  static const std::vector<std::string> names = {"paper", "paper-cpu", "cpu", "fpo++", "gridworld-paper"};
  return names;
}

std::string describe_presets() {
  return "paper: the FPO authors' configuration (2048 envs x 480 steps per iteration in 30-step sequences, 32 "
         "minibatches, 16 epochs, GAE per minibatch, one lr 3e-4, no gradient clipping, tanh actions, t on the "
         "grid, 5x256 critic); paper-cpu: the same minibatches and Adam steps per sample on 256 envs (4 "
         "minibatches); "
         "cpu: sized for a 2-core machine (32 envs, unroll 64, 8 minibatches, 10 epochs, critic lr 3e-3, gamma "
         "0.99, 3x128 critic; for algo fpo 64 envs x 128 steps, minibatches of 1024; the default for MuJoCo "
         "tasks); "
         "fpo++: the FPO++ objective for algo fpo (per-sample ratios, train.trust_region=aspo, flow.loss_clamp=10, "
         "flow.diff_clamp=0.5) with the stochastic sampler in rollouts (flow.sampler=stochastic), a constant lr, "
         "clipped actions and the cpu batch, as measured; evaluate with --deterministic; "
         "gridworld-paper: the authors' GridWorld training (2048 env steps per iteration as 16 envs x 128, 10 "
         "epochs x 6 minibatches, lr 3e-4 for actor and critic, clip 0.2, gamma 0.99, GAE lambda 0.98, grad norm "
         "0.5, 50 (t, eps) pairs, log-ratio clamped to [-3, 3], 2x64 ReLU nets, u-MSE, 10 Euler steps; gridworld "
         "envs only; see docs/gridworld.md)";
}

void apply_presets(ConfigSchema& schema, const std::string& env, const std::string& algo, const std::string& preset) {
  auto apply_cpu = [&](const std::string& source) {
    apply(schema, kCpu, source);
    if (algo == "fpo") apply(schema, kCpuFpo, source);
  };
  if (is_gridworld(env)) apply(schema, kGridworldDefaults, "gridworld defaults");
  else apply_cpu("MuJoCo task defaults");
  apply_algo_defaults(schema, algo);
  if (preset.empty()) return;
  if (preset == "paper" || preset == "paper-cpu") {
    const std::string source = "preset " + preset;
    apply(schema, kPaper, source);
    if (preset == "paper-cpu") apply(schema, kPaperCpu, source);
    if (algo == "fpo") apply(schema, kPaperFpo, source);
    if (algo == "ppo") apply(schema, kPaperPpo, source);
    // The paper lowers the discount on two tasks.
    if (env == "ball_in_cup" || env == "finger_spin") schema.set("train.gamma", "0.95", source);
  } else if (preset == "gridworld-paper") {
    if (!is_gridworld(env)) {
      throw Error("preset gridworld-paper is the FPO authors' GridWorld training; env '" + env +
                  "' is not a gridworld env (allowed: gridworld:LAYOUT, see `fpo envs`)");
    }
    apply(schema, kGridworldPaper, "preset gridworld-paper");
    if (algo == "ppo") apply(schema, kGridworldPaperPpo, "preset gridworld-paper");
  } else if (preset == "cpu") {
    apply_cpu("preset cpu");
  } else if (preset == "fpo++") {
    if (!is_gridworld(env)) apply(schema, kCpu, "preset fpo++");
    apply(schema, kFpoPlusPlus, "preset fpo++");
  } else {
    std::string known;
    for (const auto& n : preset_names()) known += (known.empty() ? "" : ", ") + n;
    throw Error("unknown preset '" + preset + "'; allowed: " + known);
  }
}

}  // namespace fpo
