#include "cli/loaded_run.h"

#include <filesystem>
#include <sstream>

#include "cli/commands.h"
#include "cli/run_dir.h"
#include "fpo/common/error.h"
#include "fpo/io/checkpoint.h"
#include "fpo/policy/dppo_policy.h"
#include "fpo/policy/flow_policy.h"

namespace fpo::cli {

LoadedRun load_run(const std::string& run_dir, const std::string& device_name, const EnvSpec& spec,
                   const TrainConfig& config, const std::string& checkpoint) {
  LoadedRun run;
  run.config = config;
  run.device = resolve_device(device_name);
  set_torch_threads(config);
  run.agent = make_agent(config, spec.obs_dim, spec.act_dim);
  load_checkpoint(checkpoint_path(run_dir, checkpoint), run.agent, nullptr, &run.state);
  run.agent.to(run.device);
  return run;
}

void add_checkpoint_option(CLI::App* cmd, std::string& checkpoint) {
  cmd->add_option("--checkpoint", checkpoint,
                  "load this checkpoint of the run (e.g. RUN/checkpoints/step_N.pt) instead of its latest");
}

std::string checkpoint_path(const std::string& run_dir, const std::string& checkpoint) {
  if (checkpoint.empty()) return RunPaths(run_dir).checkpoint;
  if (!std::filesystem::is_regular_file(checkpoint)) {
    throw Error("--checkpoint '" + checkpoint + "' is not a file; the run's periodic checkpoints are " +
                RunPaths(run_dir).checkpoints + "/step_<env steps>.pt");
  }
  return checkpoint;
}

void add_sampling_options(CLI::App* cmd, SamplingOptions& options) {
  cmd->add_flag("--deterministic", options.deterministic, "noise-free actions (flow: zero initial noise; Gaussian: mean)");
  cmd->add_option("--sampler", options.sampler,
                  "flow sampler: euler | midpoint | heun | stochastic (default: the training one)");
  cmd->add_option("--sampler-noise", options.sampler_noise,
                  "noise scale of the stochastic sampler (default: the run's flow.sampler_noise)")
      ->check(finite_in(0, 100));
  cmd->add_option("--flow-steps", options.flow_steps, "flow sampling steps, 1 to 1000 (default: training's)")
      ->check(CLI::Range(1, 1000));
}

std::string apply_sampling(LoadedRun& run, const SamplingOptions& options) {
  const bool flow_options = !options.sampler.empty() || options.flow_steps > 0 || options.sampler_noise >= 0;
  const std::string seed = std::to_string(options.seed);
  if (auto* flow = dynamic_cast<FlowPolicy*>(run.agent.policy.get())) {
    const auto kind = parse_flow_sampler(options.sampler.empty() ? run.config.flow.sampler : options.sampler);
    const int steps = options.flow_steps > 0 ? options.flow_steps : run.config.flow.steps;
    flow->set_sampler(kind, steps);
    if (options.sampler_noise >= 0) flow->set_sampler_noise(options.sampler_noise);
    std::string sampling = flow_sampler_name(kind) + "-" + std::to_string(steps);
    if (kind == FlowSamplerKind::kStochastic) {
      std::ostringstream noise;
      noise << flow->sampler_noise();
      sampling += " (noise " + (options.deterministic ? std::string("0: deterministic") : noise.str()) + ")";
    }
    return sampling + ", " +
           (options.deterministic ? std::string("zero initial noise") : "seeded initial noise (seed " + seed + ")");
  }
  if (auto* dppo = dynamic_cast<DppoPolicy*>(run.agent.policy.get())) {
    if (flow_options) {
      throw Error("--sampler/--flow-steps/--sampler-noise apply to flow policies; a dppo run samples its trained "
                  "denoising MDP (dppo.steps, dppo.sigma)");
    }
    std::ostringstream desc;
    desc << "denoising MDP, " << dppo->config().steps << " steps, ";
    if (options.deterministic) desc << "zero initial noise, no per-step noise";
    else desc << "sigma " << dppo->config().sigma << ", seeded noise (seed " << seed << ")";
    return desc.str();
  }
  if (flow_options) {
    throw Error("--sampler/--flow-steps apply to flow policies; this run's algo '" + run.config.algo + "' has none");
  }
  return options.deterministic ? "mean action" : "seeded Gaussian noise (seed " + seed + ")";
}

}  // namespace fpo::cli
