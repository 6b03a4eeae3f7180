#pragma once
// Checkpoints: policy, critic, observation normaliser, optimiser state and
// progress counters in one LibTorch archive, inside an envelope with its
// length and CRC-32 (a damaged file is refused before LibTorch parses it).
// Written to a temporary file and renamed into place, so a crash never leaves
// a half-written latest file.
#include <string>

#include "fpo/algo/trainer.h"

namespace fpo {

void save_checkpoint(const std::string& path, Agent& agent, torch::optim::Optimizer* optimizer,
                     const TrainState& state);
// optimizer may be null (evaluation). Throws fpo::Error naming the file if
// it is missing, unreadable or does not match the agent's networks.
void load_checkpoint(const std::string& path, Agent& agent, torch::optim::Optimizer* optimizer, TrainState* state);
// Only the progress counters (env steps, iteration, wall time), without networks.
TrainState read_checkpoint_state(const std::string& path);

}  // namespace fpo
