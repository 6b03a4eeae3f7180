// fpo: train and evaluate flow policies (FPO) and their baselines.
#include <iostream>

#include "cli/app.h"
#include "fpo/common/error.h"

int main(int argc, char** argv) {
  CLI::App app{"fpo: Flow Policy Optimization and its baselines (Gaussian PPO) on GridWorld and MuJoCo tasks"};
  const auto runners = fpo::cli::add_commands(app);
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
