#pragma once
// The fpo subcommands. Each registers its options on the CLI11 app and
// returns the function that runs it (exit code).
#include <CLI/CLI.hpp>

#include <functional>

namespace fpo::cli {

using Runner = std::function<int()>;

// A CLI11 check for a real option: finite and within [min, max] (CLI::Range
// lets NaN through).
CLI::Validator finite_in(double min, double max);

Runner add_train_command(CLI::App& app);
Runner add_eval_command(CLI::App& app);
Runner add_sample_command(CLI::App& app);
Runner add_envs_command(CLI::App& app);
Runner add_bench_command(CLI::App& app);
Runner add_suite_command(CLI::App& app);
Runner add_render_command(CLI::App& app);
Runner add_plot_command(CLI::App& app);

}  // namespace fpo::cli
