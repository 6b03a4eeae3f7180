#include "fpo/algo/agent.h"

#include "fpo/common/error.h"
#include "fpo/policy/dppo_policy.h"
#include "fpo/policy/flow_policy.h"
#include "fpo/policy/gaussian_policy.h"
#include "fpo/policy/mlp.h"

namespace fpo {

Agent make_agent(const TrainConfig& config, int64_t obs_dim, int64_t act_dim) {
  Agent agent;
  if (config.algo == "fpo") {
    agent.policy = std::make_shared<FlowPolicy>(obs_dim, act_dim, config.flow);
  } else if (config.algo == "ppo") {
    agent.policy = std::make_shared<GaussianPolicy>(obs_dim, act_dim, config.gaussian);
  } else if (config.algo == "dppo") {
    agent.policy = std::make_shared<DppoPolicy>(obs_dim, act_dim, config.dppo);
  } else {
    throw Error("unknown algo '" + config.algo + "'; allowed: fpo, ppo, dppo");
  }
  agent.value = make_mlp(obs_dim, parse_layer_widths(config.value_hidden, "value.hidden"), 1, config.value_activation);
  agent.obs_norm = RunningNorm(obs_dim);
  agent.normalize_obs = config.obs_norm;
  if (config.action_squash != "clip" && config.action_squash != "tanh") {
    throw Error("train.action_squash = '" + config.action_squash + "' is not allowed; allowed: clip, tanh");
  }
  agent.tanh_squash = config.action_squash == "tanh";
  return agent;
}

std::vector<torch::Tensor> Agent::parameters() const {
  auto params = policy->parameters();
  for (auto& p : value->parameters()) params.push_back(p);
  return params;
}

void Agent::to(const torch::Device& device) {
  policy->to(device);
  value->to(device);
  obs_norm->to(device);
}

void set_torch_threads(const TrainConfig& config) {
  if (config.torch_threads > 0) torch::set_num_threads(config.torch_threads);
}

torch::Device resolve_device(const std::string& name) {
  if (name == "cpu") return torch::kCPU;
  if (name == "cuda" || name == "auto") {
    if (torch::cuda::is_available()) return torch::kCUDA;
    if (name == "auto") return torch::kCPU;
    throw Error("device = 'cuda' but no CUDA device is available to this build (built against a CPU LibTorch, or "
                "no GPU); allowed here: cpu, auto");
  }
  throw Error("unknown device '" + name + "'; allowed: cpu, cuda, auto");
}

}  // namespace fpo
