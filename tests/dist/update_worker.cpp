// One rank of distributed_test: builds the same global rollout on every
// rank (same seed), merges the observation statistics of its own envs,
// updates on its share of the envs with PpoUpdate, and writes the resulting
// parameters, normaliser and lr to OUT_FILE (the initial ones to
// OUT_FILE.init). Run with WORLD_SIZE = 1 it is the single-process reference.
//
//   fpo_dist_update_worker OUT_FILE ALGO [TIMEOUT_S]   (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT from the environment)
#include <cstdio>
#include <fstream>

#include "fpo/algo/ppo_update.h"
#include "fpo/common/error.h"
#include "fpo/dist/collective.h"

namespace {
constexpr int64_t kSteps = 16, kEnvs = 8, kObs = 4, kAct = 2;

// Parameters, normaliser mean and var, and the policy lr, as float64.
void write_state(const std::string& path, const fpo::Agent& agent, double lr) {
  std::vector<torch::Tensor> state;
  for (const auto& p : agent.parameters()) state.push_back(p.detach().reshape({-1}).to(torch::kFloat64));
  state.push_back(agent.obs_norm->mean());
  state.push_back(agent.obs_norm->var());
  state.push_back(torch::full({1}, lr, torch::kFloat64));
  auto flat = torch::cat(state).contiguous();
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(flat.data_ptr<double>()), flat.numel() * sizeof(double));
  if (!out) throw fpo::Error("cannot write '" + path + "'");
}
}  // namespace

int main(int argc, char** argv) try {
  if (argc != 3 && argc != 4) throw fpo::Error("usage: fpo_dist_update_worker OUT_FILE ALGO [TIMEOUT_S]");
  auto collective = fpo::Collective::from_environment(std::chrono::seconds(argc == 4 ? std::stoi(argv[3]) : 30));
  const int world = collective->world_size(), rank = collective->rank();
  if (kEnvs % world != 0) throw fpo::Error("the world size must divide " + std::to_string(kEnvs));
  const int64_t local = kEnvs / world, first = rank * local;
  torch::set_num_threads(1);

  fpo::TrainConfig config;
  config.algo = argv[2];
  config.epochs = 3;
  config.minibatches = 1;  // each rank's share of the one global minibatch
  config.lr_schedule = "adaptive";
  config.max_grad_norm = 0.5;
  config.value_lr = 1e-3;
  torch::manual_seed(1);
  fpo::Agent agent = fpo::make_agent(config, kObs, kAct);
  auto optimizer = fpo::make_optimizer(agent, config);

  // The global rollout, identical on every rank; each rank feeds only its
  // own envs' raw observations to the running normaliser.
  fpo::RolloutStorage global;
  global.allocate(kSteps, kEnvs, kObs, kAct, torch::TensorOptions().dtype(torch::kFloat32));
  torch::NoGradGuard no_grad;
  for (int64_t t = 0; t < kSteps; ++t) {
    auto raw = torch::randn({kEnvs, kObs}) * 3.0 + 1.0;
    agent.obs_norm->update(raw.narrow(0, first, local), collective.get());
    auto obs = agent.normalized(raw);
    auto act = agent.policy->act(obs, false, true);
    global.obs[t].copy_(obs);
    global.next_obs[t].copy_(agent.normalized(raw + 0.1));
    global.actions[t].copy_(act.action);
    for (auto& [key, tensor] : act.memory) {
      if (!global.memory.count(key)) {
        auto sizes = tensor.sizes().vec();
        sizes.insert(sizes.begin(), kSteps);
        global.memory[key] = torch::empty(sizes, tensor.options());
      }
      global.memory[key][t].copy_(tensor);
    }
  }
  global.steps = kSteps;
  global.rewards.copy_(torch::randn({kSteps, kEnvs}));
  global.terminated.copy_((torch::rand({kSteps, kEnvs}) < 0.05).to(torch::kFloat32));
  global.truncated.zero_();
  global.dones.copy_(global.terminated);
  global.values.copy_(agent.value_of(global.obs.reshape({-1, kObs})).reshape({kSteps, kEnvs}));
  global.next_values.copy_(agent.value_of(global.next_obs.reshape({-1, kObs})).reshape({kSteps, kEnvs}) *
                           (1.0 - global.terminated));

  auto share = [&](const torch::Tensor& x) { return x.narrow(1, first, local).contiguous(); };
  fpo::RolloutStorage mine;
  mine.obs = share(global.obs);
  mine.next_obs = share(global.next_obs);
  mine.actions = share(global.actions);
  mine.rewards = share(global.rewards);
  mine.dones = share(global.dones);
  mine.terminated = share(global.terminated);
  mine.truncated = share(global.truncated);
  mine.values = share(global.values);
  mine.next_values = share(global.next_values);
  for (const auto& [key, tensor] : global.memory) mine.memory[key] = share(tensor);
  mine.steps = kSteps;
  mine.num_envs = local;

  fpo::PpoUpdate update(config, agent, *optimizer, collective.get());
  write_state(std::string(argv[1]) + ".init", agent, update.policy_lr());
  for (int iteration = 0; iteration < 2; ++iteration) {
    fpo::MetricsRow row;
    torch::AutoGradMode grad(true);
    update.run(mine, 1.0, row);
  }
  write_state(argv[1], agent, update.policy_lr());
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "fpo_dist_update_worker: %s\n", e.what());
  return 1;
}
