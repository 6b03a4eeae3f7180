#include "cli/run_dir.h"

#include <filesystem>
#include <iomanip>
#include <sstream>

#include "fpo/common/error.h"
#include "fpo/io/config_schema.h"

namespace fpo::cli {

namespace fs = std::filesystem;

RunPaths::RunPaths(const std::string& run_dir)
    : dir(run_dir),
      config((fs::path(run_dir) / "config.toml").string()),
      metrics((fs::path(run_dir) / "metrics.csv").string()),
      checkpoint((fs::path(run_dir) / "checkpoint.pt").string()),
      checkpoints((fs::path(run_dir) / "checkpoints").string()) {}

std::string RunPaths::periodic_checkpoint(int64_t env_steps) const {
  std::ostringstream os;
  os << "step_" << std::setw(12) << std::setfill('0') << env_steps << ".pt";
  return (fs::path(checkpoints) / os.str()).string();
}

TrainConfig load_run_config(const std::string& run_dir) {
  RunPaths paths(run_dir);
  if (!fs::is_directory(run_dir)) throw Error("run directory '" + run_dir + "' does not exist");
  if (!fs::exists(paths.config)) {
    throw Error("run directory '" + run_dir + "' has no config.toml; is it a directory written by `fpo train`?");
  }
  TrainConfig config;
  ConfigSchema schema(config);
  schema.load_toml_file(paths.config);
  return config;
}

std::vector<int> parse_int_list(const std::string& text, const std::string& what) {
  std::vector<int> out;
  for (float v : parse_float_list(text, what)) {
    if (v != static_cast<int>(v)) throw Error(what + " = '" + text + "' must be a comma-separated list of integers");
    out.push_back(static_cast<int>(v));
  }
  return out;
}

std::vector<float> parse_float_list(const std::string& text, const std::string& what) {
  std::vector<float> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    try {
      size_t used = 0;
      out.push_back(std::stof(item, &used));
      if (used != item.size()) throw std::invalid_argument("trailing");
    } catch (const std::exception&) {
      throw Error(what + " = '" + text + "' is not a comma-separated list of numbers");
    }
  }
  if (out.empty()) throw Error(what + " is empty; expected a comma-separated list of numbers");
  return out;
}

EnvOptions env_options_from(const TrainConfig& config) {
  EnvOptions options;
  if (!config.start.empty()) options.start_cell = parse_int_list(config.start, "env.start");
  options.max_episode_steps = config.max_episode_steps;
  return options;
}

std::string describe_options() {
  TrainConfig config;
  ConfigSchema schema(config);
  std::ostringstream os;
  os << "Options for --set KEY=VALUE and config files ([section] key = value); defaults shown are the base\n"
        "defaults, before the env family's defaults and --preset are applied (the resolved values of a run\n"
        "are written to DIR/config.toml):\n";
  for (const auto& d : schema.options()) {
    std::string value = schema.get(d.key);
    if (value.empty()) value = "\"\"";
    os << "  " << std::left << std::setw(22) << d.key << " " << std::setw(22) << value << " " << d.help << "\n";
  }
  return os.str();
}

}  // namespace fpo::cli
