// fpo eval: load a run's latest checkpoint and report returns as JSON.
#include <cmath>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/loaded_run.h"
#include "cli/run_dir.h"
#include "fpo/algo/evaluate.h"
#include "fpo/common/error.h"
#include "fpo/env/registry.h"

namespace fpo::cli {

namespace {

struct EvalArgs {
  std::string run, checkpoint;
  int episodes = 128;
  std::string start;
  bool json = false;
  std::string seed = "12345";
  SamplingOptions sampling;
  int threads = 0;
  std::string device = "cpu";
  std::string trajectories;
};

int run_eval(const EvalArgs& args) {
  const int64_t seed = parse_seed(args.seed, "--seed");
  if (!args.trajectories.empty()) refuse_run_file(args.trajectories, "--trajectories");
  TrainConfig config = load_run_config(args.run);
  if (!args.start.empty()) config.start = args.start;
  const EnvFactory factory = EnvRegistry::global().make(config.env, env_options_from(config));
  LoadedRun run = load_run(args.run, args.device, factory.spec, config, args.checkpoint);

  SamplingOptions sampling_options = args.sampling;
  sampling_options.seed = seed;
  const std::string sampling = apply_sampling(run, sampling_options);

  EvalOptions options;
  options.episodes = args.episodes;
  options.deterministic = args.sampling.deterministic;
  options.seed = static_cast<uint64_t>(seed);
  options.threads = args.threads > 0 ? args.threads : std::max(1u, std::thread::hardware_concurrency());
  std::ofstream traj;
  if (!args.trajectories.empty()) {
    traj.open(args.trajectories);
    if (!traj) throw Error("cannot write trajectories file '" + args.trajectories + "'");
    options.trajectories = &traj;
  }
  const EvalResult result = evaluate(run.agent, factory, options, run.device);

  const double n = static_cast<double>(result.returns.size());
  double mean = 0, sq = 0, len = 0;
  for (size_t i = 0; i < result.returns.size(); ++i) {
    mean += result.returns[i] / n;
    len += result.lengths[i] / n;
  }
  for (double r : result.returns) sq += (r - mean) * (r - mean) / n;
  nlohmann::json out;
  out["run"] = args.run;
  out["env"] = config.env;
  out["algo"] = config.algo;
  out["env_steps_trained"] = run.state.env_steps;
  if (!args.checkpoint.empty()) out["checkpoint"] = args.checkpoint;
  out["episodes"] = result.returns.size();
  out["return_mean"] = mean;
  out["return_std"] = std::sqrt(sq);
  out["length_mean"] = len;
  out["sampling"] = sampling;
  out["deterministic"] = args.sampling.deterministic;
  out["seed"] = seed;
  if (!config.start.empty()) out["start"] = config.start;
  const auto& names = factory.spec.outcome_names;
  if (!names.empty()) {
    nlohmann::json counts = nlohmann::json::object();
    for (const auto& name : names) counts[name] = 0;
    int success = 0;
    for (int o : result.outcomes) {
      if (o < 0) continue;
      counts[names[o]] = counts[names[o]].get<int>() + 1;
      if (names[o] != "death") ++success;
    }
    out["success_rate"] = success / n;
    out["goal_counts"] = counts;
  } else {
    out["success_rate"] = nullptr;
  }
  if (args.json) {
    std::cout << out.dump() << "\n";
  } else {
    std::cout << out.dump(2) << "\n";
  }
  return 0;
}

}  // namespace

Runner add_eval_command(CLI::App& app) {
  auto args = std::make_shared<EvalArgs>();
  CLI::App* cmd = app.add_subcommand("eval", "Evaluate a run's latest checkpoint; prints JSON");
  cmd->add_option("--run", args->run, "run directory written by `fpo train`")->required();
  cmd->add_option("--episodes", args->episodes, "episodes, 1 to 10000 (each in its own env, run in parallel)")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  cmd->add_option("--start", args->start, "gridworld: start every episode from cell X,Y");
  cmd->add_flag("--json", args->json, "one-line JSON (default: indented JSON)");
  cmd->add_option("--seed", args->seed, "evaluation seed (envs and sampling noise)")->capture_default_str();
  add_checkpoint_option(cmd, args->checkpoint);
  add_sampling_options(cmd, args->sampling);
  cmd->add_option("--threads", args->threads, "env threads (0: cores)")->check(CLI::Range(0, 1024))->capture_default_str();
  cmd->add_option("--device", args->device, "cpu | cuda | auto")->capture_default_str();
  cmd->add_option("--trajectories", args->trajectories, "write every episode's observations to this CSV");
  return [args] { return run_eval(*args); };
}

}  // namespace fpo::cli
