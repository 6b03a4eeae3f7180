#include "fpo/algo/rollout_collector.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "fpo/algo/group_advantage.h"
#include "fpo/policy/generator_restore.h"

namespace fpo {

double metric(const MetricsRow& row, const std::string& name) {
  for (const auto& [k, v] : row) if (k == name) return v;
  return std::nan("");
}

namespace {
using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }
constexpr size_t kEpisodeWindow = 100;  // episodes averaged for return_mean
constexpr int64_t kSpreadSamples = 8;    // actions per state for action_spread

torch::Tensor host_tensor(const float* data, int64_t n, int64_t dim) {
  return torch::from_blob(const_cast<float*>(data), {n, dim}, torch::kFloat32);
}
torch::Tensor host_flags(const uint8_t* data, int64_t n) {
  return torch::from_blob(const_cast<uint8_t*>(data), {n}, torch::kUInt8).to(torch::kFloat32);
}
}  // namespace

RolloutCollector::RolloutCollector(const TrainConfig& config, VecEnv& env, const torch::Device& device,
                                   Collective* collective)
    : config_(config), env_(env), device_(device), collective_(collective) {
  obs_cpu_ = host_tensor(env_.obs(), env_.num_envs(), env_.obs_dim());
  final_obs_cpu_ = host_tensor(env_.final_obs(), env_.num_envs(), env_.obs_dim());
}

int64_t RolloutCollector::capacity() const {
  return group() ? env_.spec().max_episode_steps : config_.unroll;
}

std::vector<uint64_t> RolloutCollector::group_seeds(int64_t iteration) const {
  uint64_t round = mix_seed(static_cast<uint64_t>(config_.seed), 0x6A09E667ULL + iteration);
  // Each rank of a distributed job draws its own groups.
  if (collective_ && collective_->rank() > 0) round = mix_seed(round, static_cast<uint64_t>(collective_->rank()));
  std::vector<uint64_t> seeds(static_cast<size_t>(env_.num_envs()));
  for (size_t i = 0; i < seeds.size(); ++i) seeds[i] = mix_seed(round, i / static_cast<size_t>(config_.group_size));
  return seeds;
}

void RolloutCollector::collect(Agent& agent, RolloutStorage& r, int64_t iteration, MetricsRow& row) {
  torch::NoGradGuard no_grad;
  const bool grouped = group();
  const int64_t capacity = this->capacity(), n = env_.num_envs();
  if (!r.obs.defined()) {
    r.allocate(capacity, n, env_.obs_dim(), env_.act_dim(), torch::TensorOptions().dtype(torch::kFloat32).device(device_));
  }
  double env_time = 0, act_time = 0;
  int episodes = 0;
  const auto unstable_before = env_.unstable_steps();
  // Group advantages: one episode per env from group-shared initial states.
  std::vector<uint8_t> alive;
  std::vector<float> group_returns, group_lengths;
  if (grouped) {
    env_.reset_with_seeds(group_seeds(iteration));
    alive.assign(static_cast<size_t>(n), 1);
    group_returns.assign(static_cast<size_t>(n), 0.0f);
    group_lengths.assign(static_cast<size_t>(n), 0.0f);
  }
  int64_t steps_run = capacity;
  // One process updates the normaliser every step. Ranks of a job keep theirs
  // fixed for the rollout and merge every rank's observations once at its end
  // (a collective per env step costs ~1-2 ms with Gloo; docs/distributed.md).
  const bool merge_at_end = collective_ != nullptr && collective_->distributed();
  std::vector<torch::Tensor> seen;
  for (int64_t t = 0; t < capacity; ++t) {
    auto ta = Clock::now();
    auto obs = obs_cpu_.to(device_);
    if (config_.obs_norm) {
      torch::Tensor learned = obs;
      if (grouped) {
        // Only states of the episodes being learned from.
        std::vector<int64_t> rows;
        for (int64_t i = 0; i < n; ++i) if (alive[i]) rows.push_back(i);
        learned = obs.index_select(0, torch::tensor(rows, torch::kLong).to(device_));
      }
      if (merge_at_end) seen.push_back(learned.clone());
      else agent.obs_norm->update(learned);
    }
    auto norm_obs = agent.normalized(obs);
    ActResult act = agent.policy->act(norm_obs, /*deterministic=*/false, /*with_memory=*/true);
    r.obs[t].copy_(norm_obs);
    r.actions[t].copy_(act.action);
    for (auto& [key, tensor] : act.memory) {
      auto it = r.memory.find(key);
      if (it == r.memory.end()) {
        auto sizes = tensor.sizes().vec();
        sizes.insert(sizes.begin(), capacity);
        it = r.memory.emplace(key, torch::empty(sizes, tensor.options())).first;
      }
      it->second[t].copy_(tensor);
    }
    auto actions_cpu = agent.env_action(act.action).to(torch::kCPU).contiguous();
    act_time += seconds_since(ta);

    auto te = Clock::now();
    env_.step(actions_cpu.data_ptr<float>());
    env_time += seconds_since(te);

    auto tb = Clock::now();
    // final_obs holds every env's post-step observation (before any auto-reset).
    r.next_obs[t].copy_(agent.normalized(final_obs_cpu_.to(device_)));
    r.rewards[t].copy_(host_tensor(env_.rewards(), 1, n).reshape({n}) * config_.reward_scale);
    r.terminated[t].copy_(host_flags(env_.terminated(), n));
    r.truncated[t].copy_(host_flags(env_.truncated(), n));
    for (int64_t i = 0; i < n; ++i) {
      const bool done = env_.done(static_cast<int>(i));
      if (grouped && alive[i] && done) {
        // Later episodes of an env are not learned from (masked out).
        alive[i] = 0;
        group_returns[i] = env_.episode_returns()[i];
        group_lengths[i] = static_cast<float>(env_.episode_lengths()[i]);
      }
      if (done) {
        ++episodes;
        record_episode(static_cast<int>(i));
      }
    }
    act_time += seconds_since(tb);
    if (grouped && std::none_of(alive.begin(), alive.end(), [](uint8_t a) { return a != 0; })) {
      steps_run = t + 1;
      break;
    }
  }
  r.steps = steps_run;
  r.dones.copy_((r.terminated + r.truncated).clamp_max(1.0));
  auto ta = Clock::now();
  if (merge_at_end && config_.obs_norm) agent.obs_norm->update(torch::cat(seen), collective_);
  // How far past the env's clip each drawn action went, for the whole rollout at once.
  double out_of_bounds = std::nan("");  // NaN under tanh: nothing is clipped
  if (!agent.tanh_squash) {
    auto excess = (r.actions.narrow(0, 0, steps_run).abs() - 1.0).clamp_min(0.0);  // [T, N, A]
    out_of_bounds = (excess > 0).to(torch::kFloat64).mean().item<double>();
    if (config_.action_bound_penalty > 0) {
      r.rewards.narrow(0, 0, steps_run).sub_(excess.pow(2).sum(-1) * (config_.action_bound_penalty * config_.reward_scale));
    }
  }
  if (grouped) {
    // Every env's episode ends within max_episode_steps (truncation), so all have a return.
    auto ga = compute_group_advantages(torch::tensor(group_returns), torch::tensor(group_lengths), steps_run,
                                       config_.group_size);
    r.group_advantages = ga.advantages.to(device_);
    r.mask = ga.mask.to(device_);
  } else {
    // The critic is fixed during the rollout: evaluate it once, batched.
    const int64_t od = env_.obs_dim();
    r.values.narrow(0, 0, steps_run).copy_(agent.value_of(r.flat(r.obs).reshape({-1, od})).reshape({steps_run, n}));
    auto next_v = agent.value_of(r.flat(r.next_obs).reshape({-1, od})).reshape({steps_run, n});
    r.next_values.narrow(0, 0, steps_run).copy_(next_v * (1.0 - r.terminated.narrow(0, 0, steps_run)));
  }
  act_time += seconds_since(ta);
  row.push_back({"episodes", static_cast<double>(episodes)});
  row.push_back({"action_spread", action_spread(agent, r.obs[steps_run - 1])});
  row.push_back({"out_of_bounds", out_of_bounds});  // share of action components the env clipped
  report(row);
  row.push_back({"unstable_steps", static_cast<double>(env_.unstable_steps() - unstable_before)});
  row.push_back({"time_env", env_time});
  row.push_back({"time_act", act_time});
}

double RolloutCollector::action_spread(Agent& agent, const torch::Tensor& obs) {
  torch::NoGradGuard no_grad;
  GeneratorRestore keep_stream(obs.device());
  const int64_t n = obs.size(0);
  auto repeated = obs.unsqueeze(0).expand({kSpreadSamples, n, obs.size(1)}).reshape({kSpreadSamples * n, obs.size(1)});
  auto actions = agent.policy->act(repeated, /*deterministic=*/false, /*with_memory=*/false).action;
  return actions.reshape({kSpreadSamples, n, -1}).std(0, /*unbiased=*/false).mean().item<double>();
}

void RolloutCollector::record_episode(int i) {
  recent_returns_.push_back(env_.episode_returns()[i]);
  recent_lengths_.push_back(env_.episode_lengths()[i]);
  recent_outcomes_.push_back(env_.episode_outcomes()[i]);
  if (recent_returns_.size() > kEpisodeWindow) {
    recent_returns_.pop_front();
    recent_lengths_.pop_front();
    recent_outcomes_.pop_front();
  }
}

void RolloutCollector::report(MetricsRow& row) const {
  auto mean_of = [](const std::deque<double>& d) {
    if (d.empty()) return std::nan("");
    double s = 0;
    for (double v : d) s += v;
    return s / static_cast<double>(d.size());
  };
  row.push_back({"return_mean", mean_of(recent_returns_)});
  row.push_back({"length_mean", mean_of(recent_lengths_)});
  if (!env_.spec().outcome_names.empty()) {
    int success = 0;
    for (int o : recent_outcomes_) {
      if (o >= 0 && env_.spec().outcome_names[o] != "death") ++success;
    }
    row.push_back({"success_rate", recent_outcomes_.empty() ? std::nan("")
                                                            : static_cast<double>(success) / recent_outcomes_.size()});
  }
}

}  // namespace fpo
