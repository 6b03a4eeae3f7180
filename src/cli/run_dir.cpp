#include "cli/run_dir.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
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

namespace {
const char* const kRunFiles[] = {"config.toml", "metrics.csv", "checkpoint.pt"};

bool is_run_file_name(const std::string& name, bool in_checkpoints) {
  std::string base = name;
  if (base.size() > 4 && base.compare(base.size() - 4, 4, ".tmp") == 0) base.resize(base.size() - 4);
  if (in_checkpoints) return base.rfind("step_", 0) == 0 && fs::path(base).extension() == ".pt";
  for (const char* f : kRunFiles) if (base == f) return true;
  return false;
}
}  // namespace

void remove_run_files(const RunPaths& paths) {
  if (!fs::is_regular_file(paths.config)) {
    throw Error("--force refuses to touch '" + paths.dir + "': it is not a run directory (no config.toml); choose " +
                "an empty or new --out");
  }
  for (const auto& entry : fs::directory_iterator(paths.dir)) {
    if (entry.is_regular_file() && is_run_file_name(entry.path().filename().string(), false)) fs::remove(entry.path());
  }
  if (fs::is_directory(paths.checkpoints)) {
    for (const auto& entry : fs::directory_iterator(paths.checkpoints)) {
      if (entry.is_regular_file() && is_run_file_name(entry.path().filename().string(), true)) fs::remove(entry.path());
    }
    if (fs::is_empty(paths.checkpoints)) fs::remove(paths.checkpoints);
  }
}

void refuse_run_file(const std::string& path, const std::string& option) {
  const fs::path p = fs::weakly_canonical(fs::absolute(path));
  fs::path dir = p.parent_path();
  const bool in_checkpoints = dir.filename() == "checkpoints";
  if (in_checkpoints) dir = dir.parent_path();
  if (fs::is_regular_file(dir / "config.toml") && is_run_file_name(p.filename().string(), in_checkpoints)) {
    throw Error(option + " '" + path + "' is a file of the run directory '" + dir.string() +
                "'; writing it would destroy the run; choose another file");
  }
}

TrainConfig load_run_config(const std::string& run_dir) {
  RunPaths paths(run_dir);
  if (fs::exists(run_dir) && !fs::is_directory(run_dir)) {
    throw Error("run directory '" + run_dir + "' is a file, not a directory written by `fpo train`");
  }
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
    if (!std::isfinite(out.back())) {
      throw Error(what + " = '" + text + "' holds '" + item + "'; allowed: finite numbers");
    }
  }
  if (out.empty()) throw Error(what + " is empty; expected a comma-separated list of numbers");
  return out;
}

int64_t parse_seed(const std::string& text, const std::string& option) {
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno == ERANGE || v < 0) {
    throw Error(option + " = '" + text + "' is not a seed; allowed: an integer from 0 to 9223372036854775807");
  }
  return v;
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
