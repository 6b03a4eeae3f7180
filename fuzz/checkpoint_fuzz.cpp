// Fuzz target: the checkpoint loader, as `fpo eval` and `fpo train --resume`
// use it, on arbitrary file contents. The agent is the one the seed corpus
// was written for (fuzz/README.md); bad input must end in fpo::Error.
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <string>

#include "fpo/algo/agent.h"
#include "fpo/algo/ppo_update.h"
#include "fpo/algo/train_config.h"
#include "fpo/common/error.h"
#include "fpo/io/checkpoint.h"
#include "fpo/io/config_schema.h"
#include "fpo/io/presets.h"

namespace {

struct Target {
  fpo::TrainConfig config;
  fpo::Agent agent;
  std::unique_ptr<torch::optim::Adam> optimizer;
  std::string path;
  Target() {
    fpo::ConfigSchema schema(config);
    fpo::apply_presets(schema, "gridworld:two_walls", "fpo", "");
    schema.set("flow.hidden", "16,16", "fuzz");
    schema.set("value.hidden", "16,16", "fuzz");
    agent = fpo::make_agent(config, 2, 2);
    optimizer = fpo::make_optimizer(agent, config);
    path = "/tmp/fpo_checkpoint_fuzz_" + std::to_string(getpid()) + ".pt";
  }
  ~Target() { std::remove(path.c_str()); }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Target target;
  {
    std::ofstream out(target.path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  fpo::TrainState state;
  try {
    fpo::load_checkpoint(target.path, target.agent, target.optimizer.get(), &state);
  } catch (const fpo::Error&) {
  }
  return 0;
}
