// Registers every DeepMind Control task under its MuJoCo Playground name.
#include "fpo/env/registry.h"

namespace fpo {
namespace dmc {
// One hook per domain file (cartpole.cpp, point_mass.cpp, ...); add yours here.
}  // namespace dmc

void register_dmc_envs(EnvRegistry& registry) {
  (void)registry;
}

}  // namespace fpo
