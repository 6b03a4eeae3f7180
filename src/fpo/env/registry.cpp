#include "fpo/env/registry.h"

#include "fpo/common/error.h"

namespace fpo {

void EnvRegistry::add(const std::string& name, Maker maker) {
  if (makers_.count(name)) throw Error("env '" + name + "' registered twice");
  makers_[name] = std::move(maker);
}

EnvFactory EnvRegistry::make(const std::string& name, const EnvOptions& options) const {
  auto it = makers_.find(name);
  if (it == makers_.end()) {
    std::string known;
    for (const auto& kv : makers_) known += (known.empty() ? "" : ", ") + kv.first;
    throw Error("unknown env '" + name + "'; known envs: " + known);
  }
  EnvFactory factory = it->second(options);
  if (!options.start_cell.empty() && !factory.accepts_start_cell) {
    throw Error("env '" + name + "' has no start cells; a start cell (--start / env.start) applies to gridworld envs only");
  }
  if (options.max_episode_steps > 0) factory.spec.max_episode_steps = options.max_episode_steps;
  return factory;
}

std::vector<std::string> EnvRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& kv : makers_) out.push_back(kv.first);
  return out;
}

const EnvRegistry& EnvRegistry::global() {
  static const EnvRegistry registry = [] {
    EnvRegistry r;
    register_bandit_envs(r);
    register_gridworld_envs(r);
    register_dmc_envs(r);
    return r;
  }();
  return registry;
}

}  // namespace fpo
