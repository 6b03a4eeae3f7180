#include "fpo/env/vec_env.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iostream>

#include "fpo/common/error.h"

namespace fpo {

VecEnv::VecEnv(const EnvFactory& factory, int num_envs, int num_threads, uint64_t seed)
    : spec_(factory.spec), num_envs_(num_envs), pool_(num_threads) {
  if (num_envs < 1) throw Error("num_envs must be >= 1, got " + std::to_string(num_envs));
  if (spec_.max_episode_steps < 1) {
    throw Error("env '" + spec_.name + "': max_episode_steps must be >= 1, got " +
                std::to_string(spec_.max_episode_steps));
  }
  envs_.reserve(num_envs);
  rngs_.reserve(num_envs);
  for (int i = 0; i < num_envs; ++i) {
    envs_.push_back(factory.make());
    rngs_.emplace_back(mix_seed(seed, static_cast<uint64_t>(i)));
  }
  const size_t n = static_cast<size_t>(num_envs);
  obs_.assign(n * spec_.obs_dim, 0.0f);
  final_obs_.assign(n * spec_.obs_dim, 0.0f);
  clipped_actions_.assign(n * spec_.act_dim, 0.0f);
  rewards_.assign(n, 0.0f);
  terminated_.assign(n, 0);
  truncated_.assign(n, 0);
  running_return_.assign(n, 0.0f);
  finished_return_.assign(n, 0.0f);
  running_length_.assign(n, 0);
  finished_length_.assign(n, 0);
  finished_outcome_.assign(n, -1);
  unstable_flags_.assign(n, 0);
  reset_all();
}

void VecEnv::reset_all() {
  pool_.parallel_for(num_envs_, [this](int begin, int end) {
    for (int i = begin; i < end; ++i) {
      envs_[i]->reset(rngs_[i], &obs_[static_cast<size_t>(i) * spec_.obs_dim]);
      running_return_[i] = 0.0f;
      running_length_[i] = 0;
    }
  });
  std::fill(terminated_.begin(), terminated_.end(), 0);
  std::fill(truncated_.begin(), truncated_.end(), 0);
}

void VecEnv::reset_with_seeds(const std::vector<uint64_t>& seeds) {
  if (seeds.size() != static_cast<size_t>(num_envs_)) {
    throw Error("reset_with_seeds: got " + std::to_string(seeds.size()) + " seeds for " + std::to_string(num_envs_) +
                " envs; allowed: exactly one seed per env");
  }
  for (int i = 0; i < num_envs_; ++i) rngs_[i].seed(seeds[i]);
  reset_all();
}

void VecEnv::step(const float* actions) {
  const size_t total = static_cast<size_t>(num_envs_) * spec_.act_dim;
  for (size_t k = 0; k < total; ++k) {
    const float a = actions[k];
    if (!std::isfinite(a)) {
      throw Error("env '" + spec_.name + "': action " + std::to_string(a) + " for env " +
                  std::to_string(k / spec_.act_dim) + " is not finite (NaN/Inf); the policy diverged");
    }
    clipped_actions_[k] = std::clamp(a, -1.0f, 1.0f);
  }
  pool_.parallel_for(num_envs_, [this](int begin, int end) { step_range(clipped_actions_.data(), begin, end); });
  int64_t unstable_now = 0;
  for (int i = 0; i < num_envs_; ++i) unstable_now += unstable_flags_[i];
  if (unstable_now > 0) {
    if (unstable_steps_ == 0) {
      std::cerr << "warning: env '" << spec_.name << "': simulation went unstable (NaN/Inf state or "
                << "MuJoCo warning); the env was reset and the step is not learned from. "
                << "Further occurrences are counted in the metrics (unstable_steps).\n";
    }
    unstable_steps_ += unstable_now;
  }
}

void VecEnv::step_range(const float* actions, int begin, int end) {
  const int od = spec_.obs_dim, ad = spec_.act_dim;
  for (int i = begin; i < end; ++i) {
    float* obs = &obs_[static_cast<size_t>(i) * od];
    float* fin = &final_obs_[static_cast<size_t>(i) * od];
    // Keep the pre-step observation: it is the bootstrap state if the step diverges.
    std::memcpy(fin, obs, sizeof(float) * od);
    StepResult r = envs_[i]->step(&actions[static_cast<size_t>(i) * ad], rngs_[i], obs);
    bool obs_finite = std::all_of(obs, obs + od, [](float v) { return std::isfinite(v); });
    unstable_flags_[i] = r.unstable || !obs_finite || !std::isfinite(r.reward);
    if (unstable_flags_[i]) {
      // Diverged: end the episode as a truncation at the last valid state, with no reward.
      r.reward = 0.0f;
      r.terminated = false;
      r.outcome = -1;
    } else {
      std::memcpy(fin, obs, sizeof(float) * od);
    }
    running_return_[i] += r.reward;
    running_length_[i] += 1;
    rewards_[i] = r.reward;
    terminated_[i] = r.terminated;
    truncated_[i] = !r.terminated && (unstable_flags_[i] || running_length_[i] >= spec_.max_episode_steps);
    if (terminated_[i] || truncated_[i]) {
      finished_return_[i] = running_return_[i];
      finished_length_[i] = running_length_[i];
      finished_outcome_[i] = r.outcome;
      running_return_[i] = 0.0f;
      running_length_[i] = 0;
      envs_[i]->reset(rngs_[i], obs);
    }
  }
}

}  // namespace fpo
