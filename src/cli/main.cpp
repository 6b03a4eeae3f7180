// fpo: train and evaluate flow policies (FPO) and their baselines.
#include <CLI/CLI.hpp>

#include <iostream>
#include <map>

#include "cli/commands.h"
#include "fpo/common/error.h"

int main(int argc, char** argv) {
  CLI::App app{"fpo: Flow Policy Optimization and its baselines (Gaussian PPO) on GridWorld and MuJoCo tasks"};
  app.require_subcommand(1);
  app.get_formatter()->column_width(40);
  std::map<CLI::App*, fpo::cli::Runner> runners;
  auto add = [&](fpo::cli::Runner (*adder)(CLI::App&)) {
    const size_t before = app.get_subcommands({}).size();
    auto runner = adder(app);
    runners[app.get_subcommands({}).at(before)] = runner;
  };
  add(fpo::cli::add_train_command);
  add(fpo::cli::add_eval_command);
  add(fpo::cli::add_sample_command);
  add(fpo::cli::add_envs_command);
  add(fpo::cli::add_bench_command);
  add(fpo::cli::add_suite_command);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    for (auto& [sub, runner] : runners) {
      if (sub->parsed()) return runner();
    }
  } catch (const fpo::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 3;
  }
  return 1;
}
