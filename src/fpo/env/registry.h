#pragma once
// Name -> environment factory. Each environment family registers its names
// in registry.cpp; the CLI and the trainer only see this table.
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "fpo/env/env.h"

namespace fpo {

class EnvRegistry {
 public:
  using Maker = std::function<EnvFactory(const EnvOptions&)>;

  void add(const std::string& name, Maker maker);
  // Throws fpo::Error naming the unknown env and listing the known ones.
  EnvFactory make(const std::string& name, const EnvOptions& options = {}) const;
  bool contains(const std::string& name) const { return makers_.count(name) > 0; }
  std::vector<std::string> names() const;

  // The registry with every built-in environment.
  static const EnvRegistry& global();

 private:
  std::map<std::string, Maker> makers_;
};

// Registration hooks, one per environment family.
void register_bandit_envs(EnvRegistry& registry);
void register_gridworld_envs(EnvRegistry& registry);
void register_dmc_envs(EnvRegistry& registry);

}  // namespace fpo
