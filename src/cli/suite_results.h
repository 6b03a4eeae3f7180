#pragma once
// The files `fpo suite` reads and writes besides the runs themselves: each
// run's evals.csv, and the grid's results.csv and results.md (the paper's
// Table-1 form).
#include <cstdint>
#include <string>
#include <vector>

namespace fpo::cli {

// A column of the results table: an algorithm, or an ablation row applied to fpo.
struct Variant {
  std::string name;                    // fpo | ppo | dppo | an ablation name
  std::string algo;                    // what `fpo train --algo` gets
  std::vector<std::string> overrides;  // extra --set assignments (ablations)
};

struct Run {
  std::string task;
  const Variant* variant;
  int64_t seed;
  std::string name, dir;
};

struct EvalRow {
  double env_steps, return_mean, return_std, wall_time;
};

// Rows of an evals.csv (complete lines of four numbers after the header).
std::vector<EvalRow> read_evals(const std::string& path);
// Replaces an evals.csv atomically.
void write_evals(const std::string& path, const std::vector<EvalRow>& rows);

// What the results table is about.
struct Grid {
  std::vector<std::string> tasks;
  std::vector<Variant> variants;
  size_t num_seeds = 0;
  std::string seeds;  // as given
  int64_t steps = 0;
  std::string preset;
  int eval_episodes = 0, num_evals = 0;
  bool deterministic = false;
  std::vector<std::string> user_sets;
};

// Writes DIR/results.csv (one row per finished run) and DIR/results.md;
// returns the markdown. Runs with fewer than num_evals evaluations are left out.
std::string write_results(const std::string& dir, const std::vector<Run>& runs, const Grid& grid);

std::string join(const std::vector<std::string>& items, const std::string& sep = ", ");
// A return for a table: 1 decimal from 10 up, else 3.
std::string format_number(double v);

}  // namespace fpo::cli
