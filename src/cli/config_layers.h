#pragma once
// A new run's configuration, layered: base defaults -> the env family's and
// the algorithm's defaults -> --preset -> --config file -> --set -> explicit
// flags; then validated. Shared by `fpo train` and `fpo bench train`.
#include <functional>
#include <string>
#include <vector>

#include "fpo/algo/train_config.h"
#include "fpo/io/config_schema.h"

namespace fpo::cli {

struct ConfigLayers {
  std::string env, algo;
  bool env_given = true, algo_given = true;  // false: a config file's env.name / algo may replace them
  std::string preset, config_file;
  std::vector<std::string> sets;  // "key=value"
};

// `flags` applies the command's own flags (--steps, --seed, ...) last.
TrainConfig resolve_layers(const ConfigLayers& layers, const std::function<void(ConfigSchema&)>& flags = {});

}  // namespace fpo::cli
