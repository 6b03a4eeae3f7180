// placeholder, replaced by the GridWorld implementation
#include "fpo/env/registry.h"
namespace fpo { void register_gridworld_envs(EnvRegistry&) {} }
