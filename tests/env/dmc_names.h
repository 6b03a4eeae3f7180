#pragma once
// The DeepMind Control tasks in the registry: every env whose name has no
// family prefix such as "gridworld:" or "bandit:".
#include <string>
#include <vector>

#include "fpo/env/registry.h"

namespace fpo::testing {

inline std::vector<std::string> dmc_env_names() {
  std::vector<std::string> out;
  for (const std::string& name : EnvRegistry::global().names()) {
    if (name.find(':') == std::string::npos) out.push_back(name);
  }
  return out;
}

}  // namespace fpo::testing
