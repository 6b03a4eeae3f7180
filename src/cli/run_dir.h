#pragma once
// The files of a run directory, shared by train, eval and sample:
//   config.toml       the resolved configuration
//   metrics.csv       one row per iteration
//   checkpoint.pt     the latest checkpoint (replaced atomically)
//   checkpoints/      periodic checkpoints, step_<env steps>.pt
#include <string>

#include "fpo/algo/train_config.h"
#include "fpo/env/env.h"

namespace fpo::cli {

struct RunPaths {
  std::string dir, config, metrics, checkpoint, checkpoints;
  explicit RunPaths(const std::string& run_dir);
  std::string periodic_checkpoint(int64_t env_steps) const;
};

// --force: deletes only the files fpo itself writes into a run directory
// (config, metrics, checkpoints and their .tmp siblings), never the user's;
// refuses a directory without config.toml (not a run directory).
void remove_run_files(const RunPaths& paths);

// Throws fpo::Error if `path` is one of a run directory's own files (its
// config, metrics or checkpoints), so that an output option cannot destroy a run.
void refuse_run_file(const std::string& path, const std::string& option);

// Reads a run's config.toml; throws fpo::Error naming the file on failure.
TrainConfig load_run_config(const std::string& run_dir);

// EnvOptions from the config (start cell, episode limit).
EnvOptions env_options_from(const TrainConfig& config);
// Parses "x,y" (or any comma list of integers); names `what` in errors.
std::vector<int> parse_int_list(const std::string& text, const std::string& what);
// Rejects NaN and inf: they would flow silently into the networks.
std::vector<float> parse_float_list(const std::string& text, const std::string& what);
// A seed for eval/sample: a decimal integer in [0, 2^63 - 1]; names `option` in errors.
int64_t parse_seed(const std::string& text, const std::string& option);

// "The options for --set": every key, its default and what is allowed.
std::string describe_options();

}  // namespace fpo::cli
