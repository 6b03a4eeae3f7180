#pragma once
// Data-parallel training on torch.distributed's c10d (docs/distributed.md).
// A Collective is this process's place among the ranks of one job: the ranks
// meet through a c10d TCPStore and talk through ProcessGroupGloo. A job of one
// process (no torchrun variables) gets a Collective whose operations are the
// identity, so single-process training runs exactly as before.
#include <torch/torch.h>

#include <chrono>
#include <memory>
#include <vector>

namespace fpo {

struct TorchrunEnv {
  int rank = 0, world_size = 1, local_rank = 0, local_world_size = 1;
  std::string master_addr;
  int master_port = 0;
};

// Reads RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR and
// MASTER_PORT. None of RANK / WORLD_SIZE set: one process. Partial or
// out-of-range values throw fpo::Error naming the variable.
TorchrunEnv read_torchrun_env();

class Collective {
 public:
  Collective();  // one process
  ~Collective();
  // Joins the job described by `env` (rank 0 hosts the TCPStore at
  // MASTER_ADDR:MASTER_PORT). `timeout` bounds the rendezvous and every
  // collective: a rank that died or hangs ends the others with fpo::Error.
  Collective(const TorchrunEnv& env, std::chrono::milliseconds timeout);
  static std::shared_ptr<Collective> from_environment(std::chrono::milliseconds timeout);

  int rank() const { return env_.rank; }
  int world_size() const { return env_.world_size; }
  int local_rank() const { return env_.local_rank; }
  int local_world_size() const { return env_.local_world_size; }
  bool distributed() const { return env_.world_size > 1; }

  // In place: the sum / the mean over ranks of each tensor (CPU, any float
  // dtype; all flattened into one buffer per dtype, one collective each).
  void sum(const std::vector<torch::Tensor>& tensors, const char* what);
  void mean(const std::vector<torch::Tensor>& tensors, const char* what);
  // In place: rank 0's values on every rank.
  void broadcast_from_rank0(const std::vector<torch::Tensor>& tensors, const char* what);
  void barrier(const char* what);
  // Seconds this process spent in collectives (waiting for the others included).
  double seconds() const { return seconds_; }

 private:
  struct Group;
  template <class Op>
  void run(const char* what, Op&& op);
  std::string missing_ranks() noexcept;
  TorchrunEnv env_;
  std::chrono::milliseconds timeout_{0};
  std::unique_ptr<Group> group_;
  double seconds_ = 0;
};

}  // namespace fpo
