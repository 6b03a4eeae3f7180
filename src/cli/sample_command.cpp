// fpo sample: draw many actions from a trained policy at one observation, to
// look at the action distribution (e.g. multimodality at the gridworld centre).
#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "cli/loaded_run.h"
#include "cli/run_dir.h"
#include "fpo/algo/agent.h"
#include "fpo/common/error.h"
#include "fpo/env/registry.h"
#include "fpo/io/checkpoint.h"

namespace fpo::cli {

namespace {

struct SampleArgs {
  std::string run;
  std::string obs;
  int n = 1000;
  std::string seed = "0";
  bool deterministic = false;
  std::string out;
  std::string checkpoint;
};

int run_sample(const SampleArgs& args) {
  const int64_t seed = parse_seed(args.seed, "--seed");
  if (!args.out.empty()) refuse_run_file(args.out, "--out");
  const TrainConfig config = load_run_config(args.run);
  const EnvFactory factory = EnvRegistry::global().make(config.env, env_options_from(config));
  const auto values = parse_float_list(args.obs, "--obs");
  if (static_cast<int>(values.size()) != factory.spec.obs_dim) {
    throw Error("--obs has " + std::to_string(values.size()) + " values but env '" + config.env + "' has obs_dim " +
                std::to_string(factory.spec.obs_dim));
  }
  set_torch_threads(config);
  Agent agent = make_agent(config, factory.spec.obs_dim, factory.spec.act_dim);
  load_checkpoint(checkpoint_path(args.run, args.checkpoint), agent, nullptr, nullptr);
  torch::NoGradGuard no_grad;
  torch::manual_seed(static_cast<uint64_t>(seed));
  auto obs = torch::tensor(values).reshape({1, -1}).expand({args.n, -1}).contiguous();
  auto actions = agent.env_action(agent.policy->act(agent.normalized(obs), args.deterministic, false).action).contiguous();
  std::ofstream file;
  std::ostream* out = &std::cout;
  if (!args.out.empty()) {
    file.open(args.out);
    if (!file) throw Error("cannot write '" + args.out + "'");
    out = &file;
  }
  const int64_t a = actions.size(1);
  for (int64_t j = 0; j < a; ++j) *out << (j ? "," : "") << "a" << j;
  *out << "\n";
  auto acc = actions.accessor<float, 2>();
  for (int64_t i = 0; i < actions.size(0); ++i) {
    for (int64_t j = 0; j < a; ++j) *out << (j ? "," : "") << acc[i][j];
    *out << "\n";
  }
  return 0;
}

}  // namespace

Runner add_sample_command(CLI::App& app) {
  auto args = std::make_shared<SampleArgs>();
  CLI::App* cmd = app.add_subcommand("sample", "Draw actions from a trained policy at one observation (CSV a0,a1,...)");
  cmd->add_option("--run", args->run, "run directory")->required();
  add_checkpoint_option(cmd, args->checkpoint);
  cmd->add_option("--obs", args->obs, "raw observation, comma-separated (gridworld centre: 0,0)")->required();
  cmd->add_option("--n", args->n, "number of actions (1 to 1000000)")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  cmd->add_option("--seed", args->seed, "sampling seed")->capture_default_str();
  cmd->add_flag("--deterministic", args->deterministic, "noise-free actions");
  cmd->add_option("--out", args->out, "CSV file (default: stdout)");
  return [args] { return run_sample(*args); };
}

}  // namespace fpo::cli
