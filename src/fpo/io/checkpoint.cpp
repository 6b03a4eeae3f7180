#include "fpo/io/checkpoint.h"

#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "fpo/common/error.h"
#include "fpo/common/file_io.h"

namespace fpo {

namespace fs = std::filesystem;

namespace {

// The file is an envelope around LibTorch's archive: magic, payload length and
// CRC-32, both little-endian. LibTorch 1.13 can crash (not throw) on a damaged
// archive (found by fuzz/checkpoint_fuzz.cpp), so a damaged file must be caught
// before LibTorch parses it. Files without the envelope (from fpo before it)
// are refused unless FPO_ALLOW_UNCHECKED_CHECKPOINT=1.
constexpr char kMagic[8] = {'F', 'P', 'O', 'C', 'K', 'P', 'T', '1'};
constexpr size_t kHeaderSize = sizeof kMagic + 8 + 4;

void put_le(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
uint64_t get_le(const std::string& in, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= static_cast<uint64_t>(static_cast<unsigned char>(in[at + i])) << (8 * i);
  return v;
}
uint32_t crc_of(const std::string& data) {
  return static_cast<uint32_t>(crc32(0L, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
}

std::string checksummed(const std::string& payload) {
  std::string out(kMagic, sizeof kMagic);
  put_le(out, payload.size(), 8);
  put_le(out, crc_of(payload), 4);
  return out + payload;
}

// The LibTorch archive inside `file`, after checking length and CRC-32.
std::string verified_payload(const std::string& path, const std::string& file) {
  if (file.size() < sizeof kMagic || file.compare(0, sizeof kMagic, kMagic, sizeof kMagic) != 0) {
    const char* unchecked = std::getenv("FPO_ALLOW_UNCHECKED_CHECKPOINT");
    if (unchecked && std::string(unchecked) == "1") return file;
    throw Error("checkpoint '" + path + "' is not an fpo checkpoint (no FPOCKPT1 header; damaged, or written by an "
                "fpo from before checkpoints were checksummed); to read an old one unchecked, set "
                "FPO_ALLOW_UNCHECKED_CHECKPOINT=1 (LibTorch may crash on a damaged file)");
  }
  if (file.size() < kHeaderSize) throw Error("checkpoint '" + path + "' is truncated (no complete header)");
  const uint64_t length = get_le(file, sizeof kMagic, 8);
  const uint32_t crc = static_cast<uint32_t>(get_le(file, sizeof kMagic + 8, 4));
  if (length != file.size() - kHeaderSize) {
    throw Error("checkpoint '" + path + "' is truncated or damaged: it holds " +
                std::to_string(file.size() - kHeaderSize) + " bytes of archive, its header says " +
                std::to_string(length));
  }
  std::string payload = file.substr(kHeaderSize);
  if (crc_of(payload) != crc) throw Error("checkpoint '" + path + "' is damaged (CRC-32 mismatch)");
  return payload;
}

}  // namespace

void save_checkpoint(const std::string& path, Agent& agent, torch::optim::Optimizer* optimizer,
                     const TrainState& state) {
  torch::serialize::OutputArchive archive;
  torch::serialize::OutputArchive policy, value, obs_norm, optim;
  agent.policy->save(policy);
  agent.value->save(value);
  agent.obs_norm->save(obs_norm);
  archive.write("policy", policy);
  archive.write("value", value);
  archive.write("obs_norm", obs_norm);
  if (optimizer) {
    optimizer->save(optim);
    archive.write("optimizer", optim);
    // LibTorch's optimizer state leaves out each group's learning rate; an
    // adaptive one must come back as it was.
    std::vector<double> lrs;
    for (const auto& group : optimizer->param_groups()) lrs.push_back(group.options().get_lr());
    archive.write("optimizer_lrs", torch::tensor(lrs, torch::kFloat64));
  }
  archive.write("env_steps", torch::tensor(state.env_steps, torch::kLong));
  archive.write("iteration", torch::tensor(state.iteration, torch::kLong));
  archive.write("wall_time", torch::tensor(state.wall_time, torch::kFloat64));
  const std::string tmp = path + ".tmp";
  std::ostringstream payload;
  try {
    archive.save_to(payload);
  } catch (const c10::Error& e) {
    throw Error("cannot write checkpoint '" + tmp + "': " + e.what_without_backtrace());
  }
  write_file_atomically(path, checksummed(payload.str()), "checkpoint");
}

namespace {

// LibTorch's Module::load replaces tensors without checking their shapes, so
// record them before loading and compare afterwards.
std::vector<std::pair<std::string, std::vector<int64_t>>> shapes_of(const torch::nn::Module& module,
                                                                   const std::string& prefix) {
  std::vector<std::pair<std::string, std::vector<int64_t>>> out;
  for (const auto& p : module.named_parameters()) out.emplace_back(prefix + p.key(), p.value().sizes().vec());
  for (const auto& b : module.named_buffers()) out.emplace_back(prefix + b.key(), b.value().sizes().vec());
  return out;
}

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

// A checkpoint whose weights hold NaN or inf would act silently wrong.
void require_finite(const std::string& path, const torch::nn::Module& module, const std::string& prefix) {
  auto check = [&](const std::string& name, const torch::Tensor& t) {
    if (t.is_floating_point() && !torch::isfinite(t).all().item<bool>()) {
      throw Error("checkpoint '" + path + "' holds non-finite values (NaN or inf) in " + prefix + name +
                  "; it cannot be used (a diverged or damaged run)");
    }
  };
  for (const auto& p : module.named_parameters()) check(p.key(), p.value());
  for (const auto& b : module.named_buffers()) check(b.key(), b.value());
}

}  // namespace

namespace {
// The checked LibTorch archive of the file at `path`.
std::string read_payload(const std::string& path) {
  if (!fs::exists(path)) throw Error("checkpoint '" + path + "' does not exist");
  if (!fs::is_regular_file(path)) throw Error("checkpoint '" + path + "' is not a regular file");
  return verified_payload(path, read_file(path));
}

void read_state(torch::serialize::InputArchive& archive, TrainState& state) {
  torch::Tensor steps, iteration, wall;
  archive.read("env_steps", steps);
  archive.read("iteration", iteration);
  archive.read("wall_time", wall);
  state.env_steps = steps.item<int64_t>();
  state.iteration = iteration.item<int64_t>();
  state.wall_time = wall.item<double>();
}
}  // namespace

TrainState read_checkpoint_state(const std::string& path) {
  const std::string payload = read_payload(path);
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(payload.data(), payload.size());
    TrainState state;
    read_state(archive, state);
    return state;
  } catch (const c10::Error& e) {
    throw Error("checkpoint '" + path + "' is corrupt: " + e.what_without_backtrace());
  }
}

void load_checkpoint(const std::string& path, Agent& agent, torch::optim::Optimizer* optimizer, TrainState* state) {
  const std::string payload = read_payload(path);
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(payload.data(), payload.size());
    torch::serialize::InputArchive policy, value, obs_norm;
    archive.read("policy", policy);
    archive.read("value", value);
    archive.read("obs_norm", obs_norm);
    auto expected = shapes_of(*agent.policy, "policy.");
    for (auto& e : shapes_of(*agent.value, "value.")) expected.push_back(e);
    for (auto& e : shapes_of(*agent.obs_norm, "obs_norm.")) expected.push_back(e);
    agent.policy->load(policy);
    agent.value->load(value);
    agent.obs_norm->load(obs_norm);
    auto loaded = shapes_of(*agent.policy, "policy.");
    for (auto& e : shapes_of(*agent.value, "value.")) loaded.push_back(e);
    for (auto& e : shapes_of(*agent.obs_norm, "obs_norm.")) loaded.push_back(e);
    for (size_t i = 0; i < expected.size(); ++i) {
      if (loaded[i].second != expected[i].second) {
        throw Error("checkpoint '" + path + "' does not match this run's networks: " + expected[i].first + " is " +
                    shape_text(loaded[i].second) + " in the file, " + shape_text(expected[i].second) + " expected");
      }
    }
    require_finite(path, *agent.policy, "policy.");
    require_finite(path, *agent.value, "value.");
    require_finite(path, *agent.obs_norm, "obs_norm.");
    if (optimizer) {
      torch::serialize::InputArchive optim;
      archive.read("optimizer", optim);
      optimizer->load(optim);
      torch::Tensor lrs;
      if (archive.try_read("optimizer_lrs", lrs)) {  // absent in checkpoints from before it was written
        auto& groups = optimizer->param_groups();
        if (lrs.numel() != static_cast<int64_t>(groups.size())) {
          throw Error("checkpoint '" + path + "' holds " + std::to_string(lrs.numel()) + " learning rates for " +
                      std::to_string(groups.size()) + " optimizer parameter groups");
        }
        for (size_t i = 0; i < groups.size(); ++i) groups[i].options().set_lr(lrs[i].item<double>());
      }
    }
    if (state) read_state(archive, *state);
  } catch (const Error&) {
    throw;
  } catch (const c10::Error& e) {
    throw Error("checkpoint '" + path + "' is corrupt or does not match this run's networks: " +
                e.what_without_backtrace());
  } catch (const std::exception& e) {
    throw Error("checkpoint '" + path + "' cannot be read: " + e.what());
  }
}

}  // namespace fpo
