#include "fpo/io/presets.h"

#include <utility>

#include "fpo/common/error.h"

namespace fpo {

namespace {

using Settings = std::vector<std::pair<std::string, std::string>>;

bool is_gridworld(const std::string& env) { return env.rfind("gridworld:", 0) == 0; }

// Small discrete-ish task: short episodes, rewards of +-1, tiny networks.
const Settings kGridworldDefaults = {
    {"env.num_envs", "64"},   {"train.unroll", "32"},     {"train.epochs", "4"},
    {"train.minibatches", "4"}, {"train.lr", "1e-3"},     {"train.gamma", "0.99"},
    {"train.reward_scale", "1"}, {"value.hidden", "64,64"}, {"checkpoint_every", "20"},
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
const Settings kFpoPlusPlus = {
    {"flow.ratio", "per_sample"},
    {"train.trust_region", "aspo"},
    {"flow.loss_clamp", "10"},
    {"flow.diff_clamp", "0.5"},
    {"flow.sampler", "stochastic"},
};

void apply(ConfigSchema& schema, const Settings& settings, const std::string& source) {
  for (const auto& [k, v] : settings) schema.set(k, v, source);
}

}  // namespace

const std::vector<std::string>& preset_names() {
  static const std::vector<std::string> names = {"paper", "cpu", "fpo++"};
  return names;
}

std::string describe_presets() {
  return "paper: the FPO paper's hyper-parameters (2048 envs, unroll 30, 32 minibatches, 16 epochs, 5x256 critic); "
         "cpu: sized for a 2-core machine (32 envs, unroll 64, 8 minibatches, 10 epochs, critic lr 3e-3, gamma "
         "0.99, 3x128 critic; the default for MuJoCo tasks); "
         "fpo++: the FPO++ objective for algo fpo (per-sample ratios, train.trust_region=aspo, flow.loss_clamp=10, "
         "flow.diff_clamp=0.5) with the stochastic sampler in rollouts (flow.sampler=stochastic); evaluate with "
         "--deterministic";
}

void apply_presets(ConfigSchema& schema, const std::string& env, const std::string& algo, const std::string& preset) {
  if (is_gridworld(env)) apply(schema, kGridworldDefaults, "gridworld defaults");
  else apply(schema, kCpu, "MuJoCo task defaults");
  if (algo == "ppo") schema.set("train.clip", "0.2", "ppo defaults");
  if (algo == "dppo") schema.set("train.clip", "0.2", "dppo defaults");  // the FPO paper's DPPO setting
  if (preset.empty()) return;
  if (preset == "paper") {
    apply(schema, kPaper, "preset paper");
    if (algo == "fpo") apply(schema, kPaperFpo, "preset paper");
    if (algo == "ppo") apply(schema, kPaperPpo, "preset paper");
    // The paper lowers the discount on two tasks.
    if (env == "ball_in_cup" || env == "finger_spin") schema.set("train.gamma", "0.95", "preset paper");
  } else if (preset == "cpu") {
    apply(schema, kCpu, "preset cpu");
  } else if (preset == "fpo++") {
    apply(schema, kFpoPlusPlus, "preset fpo++");
  } else {
    std::string known;
    for (const auto& n : preset_names()) known += (known.empty() ? "" : ", ") + n;
    throw Error("unknown preset '" + preset + "'; allowed: " + known);
  }
}

}  // namespace fpo
