// fpo train: resolve the configuration, prepare the run directory, and loop
// iterations with metrics, a progress line and atomic checkpoints.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "cli/config_layers.h"
#include "cli/run_dir.h"
#include "fpo/algo/trainer.h"
#include "fpo/common/error.h"
#include "fpo/common/file_io.h"
#include "fpo/env/registry.h"
#include "fpo/io/checkpoint.h"
#include "fpo/io/config_schema.h"
#include "fpo/io/metrics_writer.h"
#include "fpo/io/presets.h"

namespace fpo::cli {

namespace fs = std::filesystem;

namespace {

std::atomic<bool> g_interrupted{false};

struct TrainArgs {
  std::string env = "gridworld:two_walls";
  std::string algo = "fpo";
  std::string config_file;
  std::string preset;
  std::vector<std::string> sets;
  std::string steps;
  std::string seed;  // text, so the schema's range check names an overflowing value
  std::string device;
  std::string out;
  bool resume = false;
  bool force = false;
  bool quiet = false;
  bool print_config = false;
};

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const long s = static_cast<long>(seconds);
  char buf[32];
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s / 60) % 60);
  else std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  return buf;
}

// Builds the run's configuration: defaults, env/algo layers, preset, file, --set, flags.
TrainConfig resolve_config(const TrainArgs& args, const CLI::App& cmd) {
  ConfigLayers layers{args.env, args.algo, cmd.count("--env") > 0, cmd.count("--algo") > 0,
                      args.preset, args.config_file, args.sets};
  return resolve_layers(layers, [&](ConfigSchema& schema) {
    if (!args.steps.empty()) schema.set("steps", args.steps, "--steps");
    if (!args.seed.empty()) schema.set("seed", args.seed, "--seed");
    if (!args.device.empty()) schema.set("device", args.device, "--device");
  });
}

void prepare_new_run_dir(const RunPaths& paths, bool force) {
  if (fs::exists(paths.dir)) {
    if (!fs::is_directory(paths.dir)) throw Error("--out '" + paths.dir + "' exists and is not a directory");
    if (!fs::is_empty(paths.dir)) {
      if (!force) {
        throw Error("run directory '" + paths.dir + "' already exists and is not empty; use --resume to continue " +
                    "it or --force to overwrite it");
      }
      remove_run_files(paths);  // the user's own files there stay
    }
  }
  fs::create_directories(paths.checkpoints);
}

int run_train(TrainArgs& args, const CLI::App& cmd) {
  if (args.print_config) {
    if (args.resume) throw Error("--print-config shows a new run's configuration; it does not combine with --resume");
    TrainConfig config = resolve_config(args, cmd);
    std::cout << ConfigSchema(config).to_toml();
    return 0;
  }
  if (args.out.empty()) throw Error("--out DIR is required");
  RunPaths paths(args.out);
  TrainConfig config;
  if (args.resume) {
    if (args.force) throw Error("--resume and --force contradict each other; give one");
    if (!args.config_file.empty() || !args.sets.empty() || !args.preset.empty()) {
      throw Error("--resume continues a run with its own config.toml; --config, --set and --preset are not allowed "
                  "(only --steps, to extend the run)");
    }
    config = load_run_config(args.out);
    ConfigSchema schema(config);
    if (cmd.count("--env") && args.env != config.env) {
      throw Error("--env " + args.env + " differs from the run's env '" + config.env + "'");
    }
    if (cmd.count("--algo") && args.algo != config.algo) {
      throw Error("--algo " + args.algo + " differs from the run's algo '" + config.algo + "'");
    }
    if (!args.steps.empty()) schema.set("steps", args.steps, "--steps");
    if (!args.seed.empty()) {
      throw Error("--seed " + args.seed + " with --resume: the run continues with its own seed " +
                  std::to_string(config.seed) + "; start a new run for another seed");
    }
    if (!args.device.empty()) schema.set("device", args.device, "--device");
    if (!fs::exists(paths.checkpoint)) throw Error("cannot resume '" + args.out + "': it has no checkpoint.pt");
  } else {
    config = resolve_config(args, cmd);
  }

  const EnvFactory factory = EnvRegistry::global().make(config.env, env_options_from(config));
  // Under torchrun: this process's rank; rank 0 alone writes the run directory.
  auto collective = Collective::from_environment(
      std::chrono::milliseconds(static_cast<int64_t>(config.dist_timeout * 1000.0)));
  const bool writer = collective->rank() == 0;
  if (!writer) args.quiet = true;
  Trainer trainer(config, factory, collective);
  if (args.resume) {
    load_checkpoint(paths.checkpoint, trainer.agent(), &trainer.optimizer(), &trainer.state());
    if (!args.steps.empty() && config.steps <= trainer.state().env_steps) {
      throw Error("--steps " + args.steps + " with --resume: the run has already trained " +
                  std::to_string(trainer.state().env_steps) + " env steps; give a larger total to extend it");
    }
    // Fresh randomness for the continued run, still determined by the seed.
    trainer.seed_torch(static_cast<uint64_t>(config.seed) + 7919ULL * trainer.state().iteration);
  } else if (writer) {
    prepare_new_run_dir(paths, args.force);
  }
  if (writer) {
    TrainConfig copy = config;
    write_file_atomically(paths.config, ConfigSchema(copy).to_toml(), "config");
  }
  if (args.resume && writer) {
    // After a hard kill, metrics.csv may hold iterations past the checkpoint; they are trained again now.
    const int64_t dropped = truncate_metrics_after(paths.metrics, trainer.state().iteration);
    if (dropped > 0 && !args.quiet) {
      std::cerr << "resume: dropped " << dropped << " metrics rows after iteration " << trainer.state().iteration
                << " (written after the last checkpoint)\n";
    }
  }
  std::unique_ptr<MetricsWriter> metrics;
  if (writer) metrics = std::make_unique<MetricsWriter>(paths.metrics, args.resume);
  auto save = [&](const std::string& path) {
    if (writer) save_checkpoint(path, trainer.agent(), &trainer.optimizer(), trainer.state());
  };

  std::signal(SIGINT, [](int) { g_interrupted = true; });
  std::signal(SIGTERM, [](int) { g_interrupted = true; });
  const bool tty = isatty(STDERR_FILENO);
  auto last_print = std::chrono::steady_clock::now() - std::chrono::seconds(60);
  if (!args.quiet) {
    std::cerr << "fpo train: env " << config.env << ", algo " << config.algo << ", " << config.num_envs << " envs x "
              << config.unroll << " steps per iteration, device " << trainer.device() << ", out " << args.out
              << (args.resume ? " (resumed at step " + std::to_string(trainer.state().env_steps) + ")" : "")
              << (collective->distributed() ? ", " + std::to_string(collective->world_size()) + " ranks" : "") << "\n";
  }
  // Every rank stops after the same iteration, whichever of them was interrupted.
  auto interrupted = [&] {
    auto flag = torch::full({1}, g_interrupted ? 1.0 : 0.0, torch::kFloat64);
    collective->sum({flag}, "agreeing on an interrupt");
    return flag.item<double>() > 0;
  };
  while (!trainer.finished() && !interrupted()) {
    MetricsRow row = trainer.iterate();
    if (metrics) metrics->write(row);
    if (const std::string warning = trainer.health_warning(row); !warning.empty() && writer) {
      std::cerr << (tty ? "\n" : "") << warning << "\n";
    }
    const auto& state = trainer.state();
    if (config.checkpoint_every > 0 && state.iteration % config.checkpoint_every == 0) {
      save(paths.periodic_checkpoint(state.env_steps));
      save(paths.checkpoint);
    }
    const auto now = std::chrono::steady_clock::now();
    if (!args.quiet && (tty || now - last_print > std::chrono::seconds(10) || trainer.finished())) {
      last_print = now;
      const double sps = state.env_steps / std::max(state.wall_time, 1e-9);
      const double eta = (config.steps - state.env_steps) / std::max(sps, 1e-9);
      char line[256];
      std::snprintf(line, sizeof line, "steps %lld/%lld | %.0f steps/s | ETA %s | return %.3f | clip %.3f",
                    static_cast<long long>(state.env_steps), static_cast<long long>(config.steps),
                    metric(row, "steps_per_sec"), format_duration(eta).c_str(), metric(row, "return_mean"),
                    metric(row, "clip_fraction"));
      std::cerr << (tty ? "\r" : "") << line << (tty ? "   " : "\n") << std::flush;
    }
  }
  if (!args.quiet && tty) std::cerr << "\n";
  save(paths.checkpoint);
  if (collective->distributed()) {
    const RankTimes& t = trainer.rank_times();
    std::fprintf(stderr, "rank %d of %d: env %.1f s, acting %.1f s, update %.1f s (collectives %.1f s of all phases)\n",
                 collective->rank(), collective->world_size(), t.env, t.act, t.update, collective->seconds());
    collective->barrier("the final checkpoint");  // no rank reports done before it is written
  }
  if (!trainer.finished()) {  // interrupted, here or on another rank
    if (!writer) return 130;
    std::cerr << "interrupted: checkpoint saved at step " << trainer.state().env_steps
              << "; continue with: fpo train --resume --out " << args.out << "\n";
    return 130;
  }
  if (!args.quiet) {
    std::cerr << "done: " << trainer.state().env_steps << " env steps in " << format_duration(trainer.state().wall_time)
              << "; evaluate with: fpo eval --run " << args.out << "\n";
  }
  return 0;
}

}  // namespace

Runner add_train_command(CLI::App& app) {
  auto args = std::make_shared<TrainArgs>();
  CLI::App* cmd = app.add_subcommand("train", "Train a policy; writes config, metrics and checkpoints into --out DIR");
  cmd->add_option("--env", args->env, "environment (see `fpo envs`)")->capture_default_str();
  cmd->add_option("--algo", args->algo, "fpo (flow policy, FPO) | ppo (Gaussian PPO) | dppo (denoising-MDP baseline)")
      ->check(CLI::IsMember({"fpo", "ppo", "dppo"}))
      ->capture_default_str();
  cmd->add_option("--config", args->config_file, "TOML config file ([train] lr = 3e-4 ...)");
  cmd->add_option("--preset", args->preset, describe_presets());
  cmd->add_option("--set", args->sets, "override an option: KEY=VALUE (repeatable; keys listed below)");
  cmd->add_option("--steps", args->steps, "total environment steps (e.g. 3e6); default: steps option");
  cmd->add_option("--seed", args->seed, "random seed (0 to 2^63 - 1); default: seed option");
  cmd->add_option("--device", args->device, "cpu | cuda | auto; default: device option");
  cmd->add_option("--out", args->out, "run directory (required unless --print-config)");
  cmd->add_flag("--resume", args->resume, "continue the run in --out from its checkpoint");
  cmd->add_flag("--force", args->force, "overwrite a non-empty --out");
  cmd->add_flag("--quiet", args->quiet, "no progress line");
  cmd->add_flag("--print-config", args->print_config,
                "print the resolved configuration (TOML, every option) and exit without training");
  cmd->footer(describe_options());
  return [args, cmd] { return run_train(*args, *cmd); };
}

}  // namespace fpo::cli
