#include "fpo/algo/trainer.h"

#include <chrono>
#include <cmath>
#include <cstdio>

#include "fpo/common/error.h"
#include "fpo/common/rng.h"
#include "fpo/io/config_schema.h"

namespace fpo {

namespace {
// A healthy PPO iteration clips a few percent of its ratios; past this, for
// kUnhealthyIterations in a row, the policy is drifting out of its trust region.
constexpr double kUnhealthyClipFraction = 0.3;
constexpr int kUnhealthyIterations = 5;
constexpr int64_t kWarningInterval = 100;
}  // namespace

Trainer::Trainer(const TrainConfig& config, const EnvFactory& env_factory, std::shared_ptr<Collective> collective)
    : config_(config),
      collective_(collective ? std::move(collective) : std::make_shared<Collective>()),
      device_(resolve_device(config.device)) {
  validate_config(config_);
  set_torch_threads(config_);
  torch::manual_seed(static_cast<uint64_t>(config_.seed));
  // The cores are shared by the ranks on this host.
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int threads = config_.threads > 0 ? config_.threads : std::max(1, cores / collective_->local_world_size());
  env_ = std::make_unique<VecEnv>(env_factory, config_.num_envs, threads, rank_seed(static_cast<uint64_t>(config_.seed)));
  agent_ = make_agent(config_, env_->obs_dim(), env_->act_dim());
  agent_.to(device_);
  if (collective_->distributed()) {
    // Identical starting parameters (and normaliser) on every rank, then each rank's own noise.
    std::vector<torch::Tensor> state;
    for (const auto& p : agent_.parameters()) state.push_back(p);
    for (const auto& b : agent_.policy->buffers()) state.push_back(b);
    for (const auto& b : agent_.obs_norm->buffers()) state.push_back(b);
    collective_->broadcast_from_rank0(state, "broadcasting the initial parameters");
    seed_torch(static_cast<uint64_t>(config_.seed));
  }
  optimizer_ = make_optimizer(agent_, config_);
  collector_ = std::make_unique<RolloutCollector>(config_, *env_, device_, collective_.get());
  update_ = std::make_unique<PpoUpdate>(config_, agent_, *optimizer_, collective_.get());
}

uint64_t Trainer::rank_seed(uint64_t seed) const {
  const int rank = collective_->rank();
  return rank == 0 ? seed : mix_seed(seed, 0xD15C0000ULL + static_cast<uint64_t>(rank));
}

void Trainer::seed_torch(uint64_t seed) { torch::manual_seed(rank_seed(seed)); }

void Trainer::merge_over_ranks(MetricsRow& row) {
  if (!collective_->distributed()) return;
  // Per metric: [value or 0, 1 if it has a value]; counts are summed, the rest averaged.
  auto data = torch::zeros({static_cast<int64_t>(row.size()), 2}, torch::kFloat64);
  auto acc = data.accessor<double, 2>();
  for (size_t i = 0; i < row.size(); ++i) {
    const bool has = std::isfinite(row[i].second);
    acc[i][0] = has ? row[i].second : 0.0;
    acc[i][1] = has ? 1.0 : 0.0;
  }
  collective_->sum({data}, "merging the metrics");
  for (size_t i = 0; i < row.size(); ++i) {
    auto& [name, value] = row[i];
    const bool count = name == "episodes" || name == "unstable_steps" || name == "steps_per_sec";
    if (acc[i][1] == 0) value = std::nan("");
    else value = count ? acc[i][0] : acc[i][0] / acc[i][1];
  }
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
  const int64_t collected = static_cast<int64_t>(config_.num_envs) * rollout_.steps * collective_->world_size();
  state_.iteration += 1;
  state_.env_steps += collected;
  state_.wall_time += dt;
  MetricsRow head = {{"iteration", static_cast<double>(state_.iteration)},
                     {"env_steps", static_cast<double>(state_.env_steps)},
                     {"wall_time", state_.wall_time},
                     {"steps_per_sec", collected / collective_->world_size() / dt}};
  row.insert(row.begin(), head.begin(), head.end());
  rank_times_.env += metric(row, "time_env");
  rank_times_.act += metric(row, "time_act");
  rank_times_.update += metric(row, "time_update");
  merge_over_ranks(row);  // steps_per_sec: the sum of the ranks' rates
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
