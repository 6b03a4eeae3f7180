#pragma once
// One environment instance. Environments know nothing about policies: they
// read an action of act_dim floats and write an observation of obs_dim floats.
// Batching, auto-reset, truncation and threading live in VecEnv.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "fpo/common/rng.h"

namespace fpo {

struct EnvSpec {
  std::string name;
  int obs_dim = 0;
  int act_dim = 0;             // actions are in [-1, 1]^act_dim
  double control_dt = 0.0;     // seconds of simulated time per env step (0: not physical)
  int max_episode_steps = 0;   // episodes are truncated after this many steps
  std::string reward_summary;  // one line, for `fpo envs` and the docs
  // Labels for the ways an episode can end (e.g. gridworld goal regions);
  // StepResult::outcome indexes into it.
  std::vector<std::string> outcome_names;
};

struct StepResult {
  float reward = 0.0f;
  bool terminated = false;  // a true end of the task: no bootstrapping past it
  int outcome = -1;         // index into EnvSpec::outcome_names, or -1
  bool unstable = false;    // the simulation diverged; VecEnv resets the env and counts it
};

class Env {
 public:
  virtual ~Env() = default;
  // Starts a new episode from a (possibly random) initial state; writes obs.
  virtual void reset(Rng& rng, float* obs) = 0;
  // Applies an action already clipped to [-1, 1]; writes the next obs.
  virtual StepResult step(const float* action, Rng& rng, float* obs) = 0;
};

// Per-run environment options given on the command line / config.
struct EnvOptions {
  // Start every episode from this state (gridworld: a cell "x,y"); empty: random.
  std::vector<int> start_cell;
  // Overrides EnvSpec::max_episode_steps when > 0.
  int max_episode_steps = 0;
};

// A hand-written controller for one env: reads obs, writes action in [-1, 1].
// Stateless, so it can drive any number of envs; used to check reward logic.
using ScriptedController = std::function<void(const float* obs, float* action)>;

// What it takes to build N copies of an environment.
struct EnvFactory {
  EnvSpec spec;
  std::function<std::unique_ptr<Env>()> make;
  ScriptedController scripted;  // empty when no simple controller exists
  bool accepts_start_cell = false;  // whether EnvOptions::start_cell means anything here
};

}  // namespace fpo
