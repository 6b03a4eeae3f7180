#include "fpo/io/checkpoint.h"

#include <cstdio>
#include <filesystem>

#include "fpo/common/error.h"

namespace fpo {

namespace fs = std::filesystem;

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
  try {
    archive.save_to(tmp);
  } catch (const c10::Error& e) {
    throw Error("cannot write checkpoint '" + tmp + "': " + e.what_without_backtrace());
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);  // atomic on POSIX within one file system
  if (ec) throw Error("cannot move checkpoint into place at '" + path + "': " + ec.message());
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

}  // namespace

void load_checkpoint(const std::string& path, Agent& agent, torch::optim::Optimizer* optimizer, TrainState* state) {
  if (!fs::exists(path)) throw Error("checkpoint '" + path + "' does not exist");
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path);
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
    if (state) {
      torch::Tensor steps, iteration, wall;
      archive.read("env_steps", steps);
      archive.read("iteration", iteration);
      archive.read("wall_time", wall);
      state->env_steps = steps.item<int64_t>();
      state->iteration = iteration.item<int64_t>();
      state->wall_time = wall.item<double>();
    }
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
