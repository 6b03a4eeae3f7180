// Registers every DeepMind Control task under its MuJoCo Playground name.
#include "fpo/env/registry.h"

namespace fpo {
namespace dmc {
// One hook per domain file.
void register_cheetah(EnvRegistry& registry);
void register_finger(EnvRegistry& registry);
void register_fish(EnvRegistry& registry);
void register_hopper(EnvRegistry& registry);
void register_walker(EnvRegistry& registry);
// Group A: cartpole, point_mass, reacher, ball_in_cup, pendulum, acrobot.
void register_cartpole(EnvRegistry& registry);
void register_point_mass(EnvRegistry& registry);
void register_reacher(EnvRegistry& registry);
void register_ball_in_cup(EnvRegistry& registry);
void register_pendulum(EnvRegistry& registry);
void register_acrobot(EnvRegistry& registry);
}  // namespace dmc

void register_dmc_envs(EnvRegistry& registry) {
  dmc::register_cheetah(registry);
  dmc::register_finger(registry);
  dmc::register_fish(registry);
  dmc::register_hopper(registry);
  dmc::register_walker(registry);
  dmc::register_cartpole(registry);
  dmc::register_point_mass(registry);
  dmc::register_reacher(registry);
  dmc::register_ball_in_cup(registry);
  dmc::register_pendulum(registry);
  dmc::register_acrobot(registry);
}

}  // namespace fpo
