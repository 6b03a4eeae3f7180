// Checkpoints: a tiny trained run saved and loaded into a fresh agent gives
// the same actions, optimiser state and progress counters; damaged files are
// reported with their path.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fpo/algo/trainer.h"
#include "fpo/common/error.h"
#include "fpo/env/registry.h"
#include "fpo/io/checkpoint.h"

namespace fpo {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "fpo_checkpoint_test_XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

TrainConfig tiny_config(const std::string& algo) {
  TrainConfig c;
  c.env = "gridworld:two_walls";
  c.algo = algo;
  c.steps = 10000;
  c.num_envs = 8;
  c.unroll = 8;
  c.epochs = 2;
  c.minibatches = 2;
  c.threads = 1;
  c.lr = 1e-3;
  c.value_hidden = "16,16";
  c.flow.hidden = "16,16";
  c.flow.n_mc = 2;
  c.flow.steps = 3;
  c.gaussian.hidden = "16,16";
  return c;
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

// Runs `body` and checks it throws fpo::Error whose message names `path`.
template <typename F>
void expect_error_naming(const std::string& what, F body, const std::string& path) {
  SCOPED_TRACE(what);
  try {
    body();
    ADD_FAILURE() << "no fpo::Error for " << path;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}

const torch::optim::AdamParamState& adam_state(torch::optim::Adam& optimizer, const torch::Tensor& param) {
  const auto key = c10::guts::to_string(param.unsafeGetTensorImpl());
  auto& states = optimizer.state();
  auto it = states.find(key);
  if (it == states.end()) throw std::runtime_error("no Adam state for a parameter");
  return static_cast<const torch::optim::AdamParamState&>(*it->second);
}

void expect_same_tensors(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b, const char* what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(torch::equal(a[i], b[i])) << what << " " << i;
}

class CheckpointRoundTrip : public ::testing::TestWithParam<std::string> {};

TEST_P(CheckpointRoundTrip, FreshAgentActsIdentically) {
  TempDir dir;
  const TrainConfig config = tiny_config(GetParam());
  const EnvFactory factory = EnvRegistry::global().make(config.env);
  Trainer trainer(config, factory);
  trainer.iterate();
  trainer.iterate();
  ASSERT_EQ(trainer.state().iteration, 2);
  ASSERT_EQ(trainer.state().env_steps, 2 * 8 * 8);
  const std::string path = dir.file("checkpoint.pt");
  save_checkpoint(path, trainer.agent(), &trainer.optimizer(), trainer.state());
  ASSERT_TRUE(fs::exists(path));
  EXPECT_FALSE(fs::exists(path + ".tmp"));

  Agent fresh = make_agent(config, factory.spec.obs_dim, factory.spec.act_dim);
  auto optimizer_ptr = make_optimizer(fresh, config);
  torch::optim::Adam& optimizer = *optimizer_ptr;
  TrainState state;
  load_checkpoint(path, fresh, &optimizer, &state);

  // Progress counters.
  EXPECT_EQ(state.env_steps, trainer.state().env_steps);
  EXPECT_EQ(state.iteration, trainer.state().iteration);
  EXPECT_DOUBLE_EQ(state.wall_time, trainer.state().wall_time);
  EXPECT_GT(state.wall_time, 0.0);

  // Networks and the observation normaliser.
  Agent& trained = trainer.agent();
  expect_same_tensors(fresh.parameters(), trained.parameters(), "parameter");
  EXPECT_TRUE(torch::equal(fresh.obs_norm->mean(), trained.obs_norm->mean()));
  EXPECT_TRUE(torch::equal(fresh.obs_norm->var(), trained.obs_norm->var()));
  EXPECT_TRUE(torch::equal(fresh.obs_norm->count(), trained.obs_norm->count()));
  EXPECT_GT(trained.obs_norm->count().item<double>(), 1.0);  // it was updated, so the check means something

  // Same seed, same observations -> same actions (stochastic and deterministic).
  torch::NoGradGuard no_grad;
  auto obs = torch::rand({16, 2}) * 2 - 1;
  for (bool deterministic : {false, true}) {
    torch::manual_seed(77);
    auto a_trained = trained.policy->act(trained.normalized(obs), deterministic, false).action;
    torch::manual_seed(77);
    auto a_fresh = fresh.policy->act(fresh.normalized(obs), deterministic, false).action;
    EXPECT_TRUE(torch::equal(a_trained, a_fresh)) << "deterministic = " << deterministic;
  }
  EXPECT_TRUE(torch::equal(trained.value_of(trained.normalized(obs)), fresh.value_of(fresh.normalized(obs))));

  // Optimiser: Adam's step count and moment estimates for every parameter.
  const auto trained_params = trained.parameters(), fresh_params = fresh.parameters();
  ASSERT_EQ(trainer.optimizer().state().size(), trained_params.size());
  ASSERT_EQ(optimizer.state().size(), fresh_params.size());
  for (size_t i = 0; i < trained_params.size(); ++i) {
    const auto& s_trained = adam_state(trainer.optimizer(), trained_params[i]);
    const auto& s_fresh = adam_state(optimizer, fresh_params[i]);
    EXPECT_EQ(s_fresh.step(), s_trained.step()) << "parameter " << i;
    EXPECT_EQ(s_trained.step(), 2 * 2 * 2);  // iterations x epochs x minibatches
    EXPECT_TRUE(torch::equal(s_fresh.exp_avg(), s_trained.exp_avg())) << "parameter " << i;
    EXPECT_TRUE(torch::equal(s_fresh.exp_avg_sq(), s_trained.exp_avg_sq())) << "parameter " << i;
  }
  EXPECT_DOUBLE_EQ(static_cast<torch::optim::AdamOptions&>(optimizer.param_groups()[0].options()).lr(), config.lr);
}

TEST_P(CheckpointRoundTrip, LoadingWithoutOptimizerOrState) {
  TempDir dir;
  const TrainConfig config = tiny_config(GetParam());
  const EnvFactory factory = EnvRegistry::global().make(config.env);
  Trainer trainer(config, factory);
  trainer.iterate();
  const std::string path = dir.file("ckpt.pt");
  save_checkpoint(path, trainer.agent(), &trainer.optimizer(), trainer.state());
  Agent fresh = make_agent(config, 2, 2);
  load_checkpoint(path, fresh, nullptr, nullptr);  // evaluation-style load
  expect_same_tensors(fresh.parameters(), trainer.agent().parameters(), "parameter");
  // A checkpoint written without an optimiser still loads into an evaluation agent.
  const std::string no_optim = dir.file("no_optim.pt");
  save_checkpoint(no_optim, trainer.agent(), nullptr, trainer.state());
  Agent fresh2 = make_agent(config, 2, 2);
  TrainState state;
  load_checkpoint(no_optim, fresh2, nullptr, &state);
  EXPECT_EQ(state.env_steps, 64);
  expect_same_tensors(fresh2.parameters(), trainer.agent().parameters(), "parameter");
}

INSTANTIATE_TEST_SUITE_P(Algos, CheckpointRoundTrip, ::testing::Values("fpo", "ppo"));

TEST(CheckpointErrors, DamagedOrMissingFilesNameThePath) {
  TempDir dir;
  const TrainConfig config = tiny_config("fpo");
  const EnvFactory factory = EnvRegistry::global().make(config.env);
  Trainer trainer(config, factory);
  trainer.iterate();
  const std::string good = dir.file("good.pt");
  save_checkpoint(good, trainer.agent(), &trainer.optimizer(), trainer.state());
  const std::string bytes = read_bytes(good);
  ASSERT_GT(bytes.size(), 100u);

  auto load_into_fresh = [&](const std::string& path) {
    Agent agent = make_agent(config, 2, 2);
    auto optimizer_ptr = make_optimizer(agent, config);
    torch::optim::Adam& optimizer = *optimizer_ptr;
    TrainState state;
    load_checkpoint(path, agent, &optimizer, &state);
  };

  const std::string garbage = dir.file("garbage.pt");
  write_bytes(garbage, "this is not a checkpoint\n\x01\x02\x03 at all");
  expect_error_naming("garbage bytes", [&] { load_into_fresh(garbage); }, garbage);

  const std::string half = dir.file("half.pt");
  write_bytes(half, bytes.substr(0, bytes.size() / 2));
  expect_error_naming("first half of a checkpoint", [&] { load_into_fresh(half); }, half);

  const std::string empty = dir.file("empty.pt");
  write_bytes(empty, "");
  expect_error_naming("empty file", [&] { load_into_fresh(empty); }, empty);

  const std::string missing = dir.file("missing.pt");
  expect_error_naming("missing file", [&] { load_into_fresh(missing); }, missing);

  // One flipped byte inside the archive: LibTorch may crash on such a file, so
  // the envelope's CRC-32 must refuse it first.
  const std::string flipped = dir.file("flipped.pt");
  std::string damaged = bytes;
  damaged[damaged.size() / 2] = static_cast<char>(damaged[damaged.size() / 2] ^ 0x40);
  write_bytes(flipped, damaged);
  expect_error_naming("one flipped byte", [&] { load_into_fresh(flipped); }, flipped);
  try {
    load_into_fresh(flipped);
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("CRC-32"), std::string::npos) << e.what();
  }

  // A bare LibTorch archive (fpo's format before the envelope, 20-byte header)
  // is refused unless asked for; then it loads.
  const std::string bare = dir.file("bare.pt");
  write_bytes(bare, bytes.substr(20));
  expect_error_naming("archive without the envelope", [&] { load_into_fresh(bare); }, bare);
  setenv("FPO_ALLOW_UNCHECKED_CHECKPOINT", "1", 1);
  load_into_fresh(bare);
  unsetenv("FPO_ALLOW_UNCHECKED_CHECKPOINT");

  // The intact file still loads (the failures above were about the damage).
  load_into_fresh(good);
}

TEST(CheckpointErrors, MismatchedNetworksAreRejected) {
  // load_checkpoint promises an fpo::Error naming the file when the checkpoint
  // does not match the agent's networks, rather than a silent reshape.
  TempDir dir;
  const TrainConfig config = tiny_config("fpo");
  Agent saved = make_agent(config, 2, 2);
  const std::string good = dir.file("good.pt");
  save_checkpoint(good, saved, nullptr, TrainState{});

  // Same parameter names, other shapes: a wider flow MLP.
  TrainConfig other = config;
  other.flow.hidden = "32,32";
  expect_error_naming(
      "flow.hidden 16,16 checkpoint into a 32,32 agent",
      [&] {
        Agent agent = make_agent(other, 2, 2);
        load_checkpoint(good, agent, nullptr, nullptr);
      },
      good);
  // Same names, another observation size (a checkpoint of another env).
  expect_error_naming(
      "obs_dim 2 checkpoint into an obs_dim 5 agent",
      [&] {
        Agent agent = make_agent(config, 5, 2);
        load_checkpoint(good, agent, nullptr, nullptr);
      },
      good);
  // Another policy family: other parameter names.
  TrainConfig ppo = config;
  ppo.algo = "ppo";
  expect_error_naming(
      "flow checkpoint into a Gaussian agent",
      [&] {
        Agent agent = make_agent(ppo, 2, 2);
        load_checkpoint(good, agent, nullptr, nullptr);
      },
      good);
}

TEST(CheckpointErrors, NonFiniteWeightsAreRejected) {
  // A checkpoint of a diverged run (or a damaged one) must not act silently wrong.
  TempDir dir;
  const TrainConfig config = tiny_config("fpo");
  for (const char* module : {"policy", "value"}) {
    SCOPED_TRACE(module);
    Agent saved = make_agent(config, 2, 2);
    {
      torch::NoGradGuard no_grad;
      auto params = std::string(module) == "policy" ? saved.policy->parameters() : saved.value->parameters();
      params.front().view(-1)[0] = std::nan("");
    }
    const std::string path = dir.file(std::string(module) + "_nan.pt");
    save_checkpoint(path, saved, nullptr, TrainState{});
    Agent fresh = make_agent(config, 2, 2);
    try {
      load_checkpoint(path, fresh, nullptr, nullptr);
      ADD_FAILURE() << "NaN weights accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("non-finite"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(std::string(module) + "."), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
  }
}

TEST(CheckpointErrors, UnwritableDestinationNamesThePath) {
  TempDir dir;
  const TrainConfig config = tiny_config("fpo");
  Agent agent = make_agent(config, 2, 2);
  const std::string path = dir.file("no_such_dir/checkpoint.pt");
  expect_error_naming("save into a missing directory", [&] { save_checkpoint(path, agent, nullptr, TrainState{}); }, path);
}

double group_lr(Trainer& trainer, size_t group) {
  return static_cast<torch::optim::AdamOptions&>(trainer.optimizer().param_groups()[group].options()).lr();
}

// The critic has its own learning rate (train.value_lr), decayed like the policy's.
TEST(TrainerOptimizer, CriticGroupUsesValueLr) {
  TrainConfig config = tiny_config("ppo");
  config.lr = 1e-3;
  config.value_lr = 5e-3;
  config.lr_schedule = "linear";
  config.steps = 4 * 8 * 8;  // 4 iterations
  Trainer trainer(config, EnvRegistry::global().make(config.env));
  ASSERT_EQ(trainer.optimizer().param_groups().size(), 2u);
  EXPECT_EQ(trainer.optimizer().param_groups()[1].params().size(), trainer.agent().value->parameters().size());
  trainer.iterate();  // first update at the full rates
  EXPECT_DOUBLE_EQ(group_lr(trainer, 0), 1e-3);
  EXPECT_DOUBLE_EQ(group_lr(trainer, 1), 5e-3);
  trainer.iterate();  // second of four: 3/4 of each
  EXPECT_DOUBLE_EQ(group_lr(trainer, 0), 0.75e-3);
  EXPECT_DOUBLE_EQ(group_lr(trainer, 1), 3.75e-3);

  config.value_lr = 0;  // 0: the critic follows train.lr
  config.lr_schedule = "constant";
  Trainer same(config, EnvRegistry::global().make(config.env));
  same.iterate();
  EXPECT_DOUBLE_EQ(group_lr(same, 1), 1e-3);
}

// train.weight_decay is the policy group's Adam L2 decay; the critic keeps
// none. Every iteration reports the policy's parameter norm.
TEST(TrainerOptimizer, WeightDecayIsThePolicyGroupsAndParamNormIsReported) {
  TrainConfig config = tiny_config("fpo");
  config.weight_decay = 0.25;
  config.steps = 8 * 8;
  Trainer trainer(config, EnvRegistry::global().make(config.env));
  auto decay = [&](size_t group) {
    return static_cast<const torch::optim::AdamOptions&>(trainer.optimizer().param_groups()[group].options())
        .weight_decay();
  };
  EXPECT_DOUBLE_EQ(decay(0), 0.25);
  EXPECT_DOUBLE_EQ(decay(1), 0.0);
  auto row = trainer.iterate();
  double expected = 0.0;
  for (const auto& p : trainer.agent().policy->parameters()) expected += p.detach().pow(2).sum().item<double>();
  EXPECT_GT(expected, 0.0);
  EXPECT_NEAR(metric(row, "param_norm"), std::sqrt(expected), 1e-4 * std::sqrt(expected));
}

// An adaptive learning rate lives in the optimizer's policy group, so a
// resumed run continues at the rate it had reached.
TEST(TrainerOptimizer, AdaptiveLrSurvivesACheckpoint) {
  TempDir dir;
  TrainConfig config = tiny_config("fpo");
  config.lr_schedule = "adaptive";
  config.target_kl = 1e-9;  // the lr falls every iteration
  const EnvFactory factory = EnvRegistry::global().make(config.env);
  Trainer trainer(config, factory);
  trainer.iterate();
  trainer.iterate();
  const double reached = group_lr(trainer, 0);
  ASSERT_DOUBLE_EQ(reached, 1e-3 / 2.25);
  save_checkpoint(dir.file("c.pt"), trainer.agent(), &trainer.optimizer(), trainer.state());
  Trainer resumed(config, factory);
  load_checkpoint(dir.file("c.pt"), resumed.agent(), &resumed.optimizer(), &resumed.state());
  EXPECT_DOUBLE_EQ(group_lr(resumed, 0), reached);
  resumed.iterate();
  EXPECT_DOUBLE_EQ(group_lr(resumed, 0), reached / 1.5);
}

}  // namespace
}  // namespace fpo
