#pragma once
// N environments stepped together by a thread pool. Observations, rewards and
// done flags are written straight into contiguous row-major batch buffers
// ([N, obs_dim], [N]) that the trainer reads in place.
//
// Auto-reset: when an episode ends at step t, obs() already holds the first
// observation of the next episode and final_obs() holds the observation the
// episode ended on (needed to bootstrap truncated episodes).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "fpo/common/thread_pool.h"
#include "fpo/env/env.h"

namespace fpo {

class VecEnv {
 public:
  VecEnv(const EnvFactory& factory, int num_envs, int num_threads, uint64_t seed);

  const EnvSpec& spec() const { return spec_; }
  int num_envs() const { return num_envs_; }
  int obs_dim() const { return spec_.obs_dim; }
  int act_dim() const { return spec_.act_dim; }
  int num_threads() const { return pool_.num_threads(); }

  // Starts a fresh episode in every env (called once by the constructor).
  void reset_all();
  // Reseeds env i's random stream with seeds[i] (one per env) and starts a
  // fresh episode in every env: envs given the same seed start from the same
  // initial state (and share their random stream from then on).
  void reset_with_seeds(const std::vector<uint64_t>& seeds);
  // actions: [N, act_dim], row-major; values are clipped to [-1, 1].
  // Throws fpo::Error on a NaN/Inf action.
  void step(const float* actions);

  const float* obs() const { return obs_.data(); }
  const float* final_obs() const { return final_obs_.data(); }
  const float* rewards() const { return rewards_.data(); }
  const uint8_t* terminated() const { return terminated_.data(); }
  const uint8_t* truncated() const { return truncated_.data(); }
  bool done(int i) const { return terminated_[i] || truncated_[i]; }

  // For envs whose episode ended at the last step (done(i)): its return,
  // length and outcome label (-1 if none).
  const float* episode_returns() const { return finished_return_.data(); }
  const int* episode_lengths() const { return finished_length_.data(); }
  const int* episode_outcomes() const { return finished_outcome_.data(); }

  // Number of env steps whose simulation diverged (env reset, step not learned from).
  int64_t unstable_steps() const { return unstable_steps_; }

 private:
  void step_range(const float* actions, int begin, int end);

  EnvSpec spec_;
  int num_envs_;
  ThreadPool pool_;
  std::vector<std::unique_ptr<Env>> envs_;
  std::vector<Rng> rngs_;
  std::vector<float> obs_, final_obs_, rewards_, clipped_actions_;
  std::vector<uint8_t> terminated_, truncated_;
  std::vector<float> running_return_, finished_return_;
  std::vector<int> running_length_, finished_length_, finished_outcome_;
  std::vector<uint8_t> unstable_flags_;
  int64_t unstable_steps_ = 0;
};

}  // namespace fpo
