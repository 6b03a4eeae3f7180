#pragma once
// Layers of defaults applied before a config file and --set:
//   1. the env family's defaults (gridworld vs DM Control tasks),
//   2. the algorithm's defaults (e.g. PPO's wider clip),
//   3. a named preset (paper, cpu, ...), if given.
#include <string>
#include <vector>

#include "fpo/io/config_schema.h"

namespace fpo {

const std::vector<std::string>& preset_names();
// One line per preset for --help.
std::string describe_presets();

void apply_presets(ConfigSchema& schema, const std::string& env, const std::string& algo, const std::string& preset);

}  // namespace fpo
