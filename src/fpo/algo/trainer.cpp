#include "fpo/algo/trainer.h"

#include <chrono>
#include <cmath>
#include <cstdio>

#include "fpo/common/error.h"
#include "fpo/io/config_schema.h"

namespace fpo {

namespace {
// A healthy PPO iteration clips a few percent of its ratios; past this, for
// kUnhealthyIterations in a row, the policy is drifting out of its trust region.
constexpr double kUnhealthyClipFraction = 0.3;
constexpr int kUnhealthyIterations = 5;
constexpr int64_t kWarningInterval = 100;
}  // namespace

Trainer::Trainer(const TrainConfig& config, const EnvFactory& env_factory)
    : config_(config), device_(resolve_device(config.device)) {
  validate_config(config_);
  set_torch_threads(config_);
  torch::manual_seed(static_cast<uint64_t>(config_.seed));
  const int threads = config_.threads > 0 ? config_.threads : std::max(1u, std::thread::hardware_concurrency());
  env_ = std::make_unique<VecEnv>(env_factory, config_.num_envs, threads, static_cast<uint64_t>(config_.seed));
  agent_ = make_agent(config_, env_->obs_dim(), env_->act_dim());
  agent_.to(device_);
  optimizer_ = make_optimizer(agent_, config_);
  collector_ = std::make_unique<RolloutCollector>(config_, *env_, device_);
  update_ = std::make_unique<PpoUpdate>(config_, agent_, *optimizer_);
}

int64_t Trainer::steps_per_iteration() const { return static_cast<int64_t>(config_.num_envs) * collector_->capacity(); }

double Trainer::lr_factor() const {
  if (config_.lr_schedule != "linear") return 1.0;
  if (group_advantages()) {
    // Iterations vary in length: decay with the fraction of the step budget used.
    const double frac = std::min(1.0, static_cast<double>(state_.env_steps) / static_cast<double>(config_.steps));
    return std::max(1.0 - frac, 0.0);
  }
  const double total_iterations = std::ceil(static_cast<double>(config_.steps) / steps_per_iteration());
  const double frac = std::min(1.0, static_cast<double>(state_.iteration) / total_iterations);
  return std::max(1.0 - frac, 0.0);
}

MetricsRow Trainer::iterate() {
  const auto t0 = std::chrono::steady_clock::now();
  MetricsRow row;
  collector_->collect(agent_, rollout_, state_.iteration, row);
  update_->run(rollout_, lr_factor(), row);
  const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const int64_t collected = static_cast<int64_t>(config_.num_envs) * rollout_.steps;
  state_.iteration += 1;
  state_.env_steps += collected;
  state_.wall_time += dt;
  MetricsRow head = {{"iteration", static_cast<double>(state_.iteration)},
                     {"env_steps", static_cast<double>(state_.env_steps)},
                     {"wall_time", state_.wall_time},
                     {"steps_per_sec", collected / dt}};
  row.insert(row.begin(), head.begin(), head.end());
  for (const auto& [name, value] : row) {
    // Group advantages train no critic: value_loss is NaN there.
    const bool must_be_finite = name == "policy_loss" || (name == "value_loss" && !group_advantages()) ||
                                name == "grad_norm";
    if (must_be_finite && !std::isfinite(value)) {
      throw Error("training diverged at iteration " + std::to_string(state_.iteration) + ": " + name + " = " +
                  std::to_string(value) + " (not finite); try a lower train.lr or train.lr_schedule=adaptive");
    }
  }
  return row;
}

std::string Trainer::health_warning(const MetricsRow& row) {
  const double clip = metric(row, "clip_fraction");
  unhealthy_streak_ = clip > kUnhealthyClipFraction ? unhealthy_streak_ + 1 : 0;
  if (unhealthy_streak_ != kUnhealthyIterations) return "";
  // Once per streak, and at most once per kWarningInterval iterations.
  if (last_warning_ >= 0 && state_.iteration - last_warning_ < kWarningInterval) return "";
  last_warning_ = state_.iteration;
  // Suggest only what this run does not already do.
  std::string advice = config_.lr_schedule == "adaptive" ? "" : "train.lr_schedule=adaptive, ";
  char kl_stop[64];
  if (config_.kl_stop > 0) std::snprintf(kl_stop, sizeof kl_stop, "a train.kl_stop below %g", config_.kl_stop);
  else std::snprintf(kl_stop, sizeof kl_stop, "train.kl_stop=1.5");
  advice += std::string(kl_stop) + " or fewer train.epochs";
  char line[400];
  std::snprintf(line, sizeof line,
                "warning: iteration %lld: the policy is leaving its trust region (clip fraction > %.2f for %d "
                "iterations; now %.2f, KL proxy %.3g, ratio max %.3g, guard clamped %.3f); try %s",
                static_cast<long long>(state_.iteration), kUnhealthyClipFraction, kUnhealthyIterations, clip,
                metric(row, "approx_kl"), metric(row, "ratio_max"), metric(row, "guard_fraction"), advice.c_str());
  return line;
}

}  // namespace fpo
