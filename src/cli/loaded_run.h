#pragma once
// A trained run loaded for use (eval, render): its config, agent and training
// state, with the sampling options of the command applied.
#include <CLI/CLI.hpp>

#include <string>

#include "fpo/algo/agent.h"
#include "fpo/algo/trainer.h"
#include "fpo/env/env.h"

namespace fpo::cli {

struct LoadedRun {
  TrainConfig config;
  Agent agent;
  TrainState state;
  torch::Device device = torch::kCPU;
};

// Builds the agent of `config` (the run's config, possibly edited by the
// command) and loads `checkpoint` (see checkpoint_path) onto `device_name`.
LoadedRun load_run(const std::string& run_dir, const std::string& device_name, const EnvSpec& spec,
                   const TrainConfig& config, const std::string& checkpoint = "");

// --checkpoint FILE: another checkpoint of the same run (e.g. a periodic one,
// RUN/checkpoints/step_<env steps>.pt) instead of its latest.
void add_checkpoint_option(CLI::App* cmd, std::string& checkpoint);
// The file to load: the run's checkpoint.pt when `checkpoint` is empty; throws
// fpo::Error when the given file does not exist.
std::string checkpoint_path(const std::string& run_dir, const std::string& checkpoint);

// How a command samples actions: --sampler, --flow-steps, --sampler-noise
// (flow policies only; empty / <= 0 / < 0 keep the run's own).
struct SamplingOptions {
  std::string sampler;
  int flow_steps = 0;
  double sampler_noise = -1;
  bool deterministic = false;
  int64_t seed = 0;
};

// --deterministic, --sampler, --sampler-noise, --flow-steps (seed: the command's own --seed).
void add_sampling_options(CLI::App* cmd, SamplingOptions& options);

// Applies the options to the run's policy and describes the sampling in one
// line (for JSON output); throws fpo::Error for flow options on other policies.
std::string apply_sampling(LoadedRun& run, const SamplingOptions& options);

}  // namespace fpo::cli
