// fpo eval: load a run's latest checkpoint and report returns as JSON.
#include <cmath>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.h"
#include "cli/run_dir.h"
#include "fpo/algo/evaluate.h"
#include "fpo/common/error.h"
#include "fpo/env/registry.h"
#include "fpo/io/checkpoint.h"
#include "fpo/policy/dppo_policy.h"
#include "fpo/policy/flow_policy.h"

namespace fpo::cli {

namespace {

struct EvalArgs {
  std::string run;
  int episodes = 128;
  std::string start;
  bool deterministic = false;
  bool json = false;
  std::string seed = "12345";
  std::string sampler;
  int flow_steps = 0;
  double sampler_noise = -1;  // < 0: the run's flow.sampler_noise
  int threads = 0;
  std::string device = "cpu";
  std::string trajectories;
};

// Loads the run's agent and checkpoint; applies --sampler/--flow-steps to flow policies.
struct LoadedRun {
  TrainConfig config;
  Agent agent;
  TrainState state;
  torch::Device device = torch::kCPU;
};

LoadedRun load_run(const std::string& run_dir, const std::string& device_name, const EnvSpec& spec,
                   const TrainConfig& config) {
  LoadedRun run;
  run.config = config;
  run.device = resolve_device(device_name);
  set_torch_threads(config);
  run.agent = make_agent(config, spec.obs_dim, spec.act_dim);
  load_checkpoint(RunPaths(run_dir).checkpoint, run.agent, nullptr, &run.state);
  run.agent.to(run.device);
  return run;
}

int run_eval(const EvalArgs& args) {
  const int64_t seed = parse_seed(args.seed, "--seed");
  if (!args.trajectories.empty()) refuse_run_file(args.trajectories, "--trajectories");
  TrainConfig config = load_run_config(args.run);
  if (!args.start.empty()) config.start = args.start;
  const EnvFactory factory = EnvRegistry::global().make(config.env, env_options_from(config));
  LoadedRun run = load_run(args.run, args.device, factory.spec, config);

  std::string sampling;
  if (auto* flow = dynamic_cast<FlowPolicy*>(run.agent.policy.get())) {
    const auto kind = parse_flow_sampler(args.sampler.empty() ? config.flow.sampler : args.sampler);
    const int steps = args.flow_steps > 0 ? args.flow_steps : config.flow.steps;
    flow->set_sampler(kind, steps);
    if (args.sampler_noise >= 0) flow->set_sampler_noise(args.sampler_noise);
    sampling = flow_sampler_name(kind) + "-" + std::to_string(steps);
    if (kind == FlowSamplerKind::kStochastic) {
      std::ostringstream noise;
      noise << flow->sampler_noise();
      sampling += " (noise " + (args.deterministic ? std::string("0: deterministic") : noise.str()) + ")";
    }
    sampling += ", " + (args.deterministic ? std::string("zero initial noise")
                                           : "seeded initial noise (seed " + std::to_string(seed) + ")");
  } else if (auto* dppo = dynamic_cast<DppoPolicy*>(run.agent.policy.get())) {
    if (!args.sampler.empty() || args.flow_steps > 0 || args.sampler_noise >= 0) {
      throw Error("--sampler/--flow-steps/--sampler-noise apply to flow policies; a dppo run samples its trained "
                  "denoising MDP (dppo.steps, dppo.sigma)");
    }
    std::ostringstream desc;
    desc << "denoising MDP, " << dppo->config().steps << " steps, ";
    if (args.deterministic) desc << "zero initial noise, no per-step noise";
    else desc << "sigma " << dppo->config().sigma << ", seeded noise (seed " << seed << ")";
    sampling = desc.str();
  } else {
    if (!args.sampler.empty() || args.flow_steps > 0 || args.sampler_noise >= 0) {
      throw Error("--sampler/--flow-steps apply to flow policies; this run's algo '" + config.algo + "' has none");
    }
    sampling = args.deterministic ? "mean action" : "seeded Gaussian noise (seed " + std::to_string(seed) + ")";
  }

  EvalOptions options;
  options.episodes = args.episodes;
  options.deterministic = args.deterministic;
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
  out["episodes"] = result.returns.size();
  out["return_mean"] = mean;
  out["return_std"] = std::sqrt(sq);
  out["length_mean"] = len;
  out["sampling"] = sampling;
  out["deterministic"] = args.deterministic;
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
  cmd->add_flag("--deterministic", args->deterministic, "noise-free actions (flow: zero initial noise; Gaussian: mean)");
  cmd->add_flag("--json", args->json, "one-line JSON (default: indented JSON)");
  cmd->add_option("--seed", args->seed, "evaluation seed (envs and sampling noise)")->capture_default_str();
  cmd->add_option("--sampler", args->sampler,
                  "flow sampler at evaluation: euler | midpoint | heun | stochastic (default: the training one)");
  cmd->add_option("--sampler-noise", args->sampler_noise,
                  "noise scale of the stochastic sampler at evaluation (default: the run's flow.sampler_noise)")
      ->check(finite_in(0, 100));
  cmd->add_option("--flow-steps", args->flow_steps, "flow sampling steps at evaluation, 1 to 1000 (default: "
                  "training's)")
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--threads", args->threads, "env threads (0: cores)")->check(CLI::Range(0, 1024))->capture_default_str();
  cmd->add_option("--device", args->device, "cpu | cuda | auto")->capture_default_str();
  cmd->add_option("--trajectories", args->trajectories, "write every episode's observations to this CSV");
  return [args] { return run_eval(*args); };
}

}  // namespace fpo::cli
