#include "fpo/dist/collective.h"

#include <cstdlib>
#include <map>
#include <string>
#include <thread>

// Debian's LibTorch is built with Gloo; its headers declare ProcessGroupGloo only under this macro.
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO 1
#endif
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include "fpo/common/error.h"

namespace fpo {

namespace {

// An integer environment variable in [lo, hi]; `fallback` when unset.
int env_int(const char* name, int fallback, int lo, int hi) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  char* end = nullptr;
  const long v = std::strtol(text, &end, 10);
  if (*end != '\0' || v < lo || v > hi) {
    throw Error(std::string("environment variable ") + name + " = '" + text + "' is not allowed; allowed: an integer in [" +
                std::to_string(lo) + ", " + std::to_string(hi) + "]");
  }
  return static_cast<int>(v);
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

// How long a rank whose collective failed waits for the others to report in.
constexpr std::chrono::seconds kMissingRankWait{3};

}  // namespace

TorchrunEnv read_torchrun_env() {
  TorchrunEnv env;
  const bool has_rank = std::getenv("RANK") != nullptr, has_world = std::getenv("WORLD_SIZE") != nullptr;
  if (!has_rank && !has_world) return env;
  if (has_rank != has_world) {
    throw Error(std::string("environment variable ") + (has_rank ? "WORLD_SIZE" : "RANK") +
                " is not set but " + (has_rank ? "RANK" : "WORLD_SIZE") +
                " is; a distributed job needs both (torchrun sets them)");
  }
  env.world_size = env_int("WORLD_SIZE", 1, 1, 65536);
  env.rank = env_int("RANK", 0, 0, env.world_size - 1);
  env.local_world_size = env_int("LOCAL_WORLD_SIZE", env.world_size, 1, env.world_size);
  env.local_rank = env_int("LOCAL_RANK", env.rank % env.local_world_size, 0, env.local_world_size - 1);
  if (env.world_size == 1) return env;
  const char* addr = std::getenv("MASTER_ADDR");
  if (addr == nullptr || *addr == '\0') throw Error("environment variable MASTER_ADDR is not set (torchrun sets it)");
  env.master_addr = addr;
  env.master_port = env_int("MASTER_PORT", -1, 1, 65535);
  if (env.master_port < 0) throw Error("environment variable MASTER_PORT is not set (torchrun sets it)");
  return env;
}

struct Collective::Group {
  c10::intrusive_ptr<c10d::TCPStore> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> gloo;
};

Collective::Collective() = default;
Collective::~Collective() = default;

Collective::Collective(const TorchrunEnv& env, std::chrono::milliseconds timeout) : env_(env), timeout_(timeout) {
  if (!distributed()) return;
  group_ = std::make_unique<Group>();
  run("rendezvous", [&] {
    c10d::TCPStoreOptions options;
    options.port = static_cast<uint16_t>(env_.master_port);
    options.isServer = env_.rank == 0;
    options.numWorkers = env_.world_size;
    options.waitWorkers = true;
    options.timeout = timeout_;
    group_->store = c10::make_intrusive<c10d::TCPStore>(env_.master_addr, options);
    auto gloo_options = c10d::ProcessGroupGloo::Options::create(timeout_);
    // The interface that reaches MASTER_ADDR's network (loopback in a one-host job).
    gloo_options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
    group_->gloo = c10::make_intrusive<c10d::ProcessGroupGloo>(group_->store, env_.rank, env_.world_size, gloo_options);
  });
}

std::shared_ptr<Collective> Collective::from_environment(std::chrono::milliseconds timeout) {
  return std::make_shared<Collective>(read_torchrun_env(), timeout);
}

template <class Op>
void Collective::run(const char* what, Op&& op) {
  const auto t0 = std::chrono::steady_clock::now();
  try {
    op();
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    const std::string cause = first_line(e.what());
    throw Error("rank " + std::to_string(env_.rank) + " of " + std::to_string(env_.world_size) + ": " + what +
                " failed: " + cause + ". " + missing_ranks() + " (timeout " + std::to_string(timeout_.count() / 1000) +
                " s, dist.timeout); the job stops, and `fpo train --resume --out DIR` continues it from its last "
                "checkpoint");
  }
  seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// After a failed collective every rank that is still running leaves its mark
// in the store; the ranks without one after a short wait are those that died
// or hang. A failed rendezvous, or rank 0 (the store's host) gone, leaves
// nothing to ask.
std::string Collective::missing_ranks() noexcept {
  const std::string unknown = "Another rank died, hung or cannot be reached";
  if (!group_ || !group_->store) return unknown;
  try {
    auto key = [](int r) { return "fpo/stopped/" + std::to_string(r); };
    group_->store->set(key(env_.rank), std::vector<uint8_t>{1});
    std::vector<int> missing;
    const auto deadline = std::chrono::steady_clock::now() + kMissingRankWait;
    try {
      do {
        std::vector<int> now;
        for (int r = 0; r < env_.world_size; ++r) {
          if (r != env_.rank && !group_->store->check({key(r)})) now.push_back(r);
        }
        missing = now;
        if (missing.empty()) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      } while (std::chrono::steady_clock::now() < deadline);
    } catch (const std::exception&) {
      // The store went away mid-wait (rank 0 reported and left): the last answer stands.
      if (missing.empty()) throw;
    }
    if (missing.empty()) return "Every rank saw the failure (none died)";
    std::string names;
    for (int r : missing) names += (names.empty() ? "" : ", ") + std::to_string(r);
    return std::string(missing.size() == 1 ? "Rank " : "Ranks ") + names + " stopped answering (died or hang)";
  } catch (const std::exception&) {
    if (env_.rank != 0) return "Rank 0 (the host of the rendezvous store) cannot be reached: it died or hangs";
    return unknown;
  }
}

void Collective::sum(const std::vector<torch::Tensor>& tensors, const char* what) {
  if (!distributed() || tensors.empty()) return;
  run(what, [&] {
    // One flat CPU buffer per dtype: one collective whatever the number of tensors.
    std::map<c10::ScalarType, std::vector<torch::Tensor>> by_type;
    for (const auto& t : tensors) by_type[t.scalar_type()].push_back(t);
    for (auto& [type, group] : by_type) {
      std::vector<torch::Tensor> flat;
      for (const auto& t : group) flat.push_back(t.detach().reshape({-1}).to(torch::kCPU));
      std::vector<at::Tensor> buffer{torch::cat(flat)};
      group_->gloo->allreduce(buffer)->wait(timeout_);
      int64_t offset = 0;
      for (const auto& t : group) {
        const int64_t n = t.numel();
        torch::NoGradGuard no_grad;
        t.copy_(buffer[0].narrow(0, offset, n).view(t.sizes()));
        offset += n;
      }
    }
  });
}

void Collective::mean(const std::vector<torch::Tensor>& tensors, const char* what) {
  if (!distributed()) return;
  sum(tensors, what);
  torch::NoGradGuard no_grad;
  for (const auto& t : tensors) t.div_(static_cast<double>(env_.world_size));
}

void Collective::broadcast_from_rank0(const std::vector<torch::Tensor>& tensors, const char* what) {
  if (!distributed() || tensors.empty()) return;
  // rank 0 contributes its values, the others zeros: the sum is rank 0's values.
  torch::NoGradGuard no_grad;
  if (env_.rank != 0) {
    for (const auto& t : tensors) t.zero_();
  }
  sum(tensors, what);
}

void Collective::barrier(const char* what) {
  if (!distributed()) return;
  run(what, [&] { group_->gloo->barrier()->wait(timeout_); });
}

}  // namespace fpo
