// fpo suite: the experiment-grid runner. Trains tasks x algos (x ablation
// variants) x seeds as separate `fpo train` runs, launched as child processes
// of this same binary (several at once), evaluates each run --num-evals times
// along the way with `fpo eval`, and summarises the grid as results.csv,
// results.md (the paper's Table-1 form) and curves.png (tools/plot_suite.py).
//
// Layout of --out DIR:
//   suite.json                      the settings that define the grid's runs
//   runs/<task>__<variant>__seed<S>/ an ordinary run directory, plus
//       train.log                   the stderr of every child of this run
//       evals.csv                   env_steps,return_mean,return_std,wall_time
//   results.csv, results.md, curves.png
//
// Resumable: a run whose evals.csv has --num-evals rows is skipped; one with
// fewer continues from its checkpoint at the next chunk; one without a
// checkpoint starts over.
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "cli/child_process.h"
#include "cli/python_tool.h"
#include "cli/suite_results.h"
#include "cli/commands.h"
#include "fpo/common/error.h"
#include "fpo/common/file_io.h"
#include "fpo/env/registry.h"
#include "fpo/io/ablations.h"
#include "fpo/io/checkpoint.h"
#include "fpo/io/config_schema.h"
#include "fpo/io/presets.h"

namespace fpo::cli {

namespace fs = std::filesystem;

namespace {

const std::vector<std::string> kAlgos = {"fpo", "ppo", "dppo"};

struct SuiteArgs {
  std::string tasks, algos, seeds = "0", steps, preset, out, ablations, device;
  std::vector<std::string> sets;
  int num_evals = 10;
  int eval_episodes = 128;
  int parallel = 0;  // 0: automatic
};

// --- small helpers -------------------------------------------------------------

std::vector<std::string> split_list(const std::string& text, const std::string& what) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string item;
  std::set<std::string> seen;
  while (std::getline(ss, item, ',')) {
    const auto b = item.find_first_not_of(" \t"), e = item.find_last_not_of(" \t");
    item = b == std::string::npos ? "" : item.substr(b, e - b + 1);
    if (item.empty()) throw Error(what + " '" + text + "' has an empty entry; give a comma-separated list");
    if (!seen.insert(item).second) throw Error(what + " lists '" + item + "' twice");
    out.push_back(item);
  }
  if (out.empty()) throw Error(what + " is empty; give a comma-separated list");
  return out;
}

std::string shell_quote(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+=.,:/@%")
                        == std::string::npos) {
    return s;
  }
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string command_line(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) out += (out.empty() ? "" : " ") + shell_quote(a);
  return out;
}

int64_t parse_steps(const std::string& text) {
  double v = 0;
  try {
    size_t used = 0;
    v = std::stod(text, &used);
    if (used != text.size()) throw std::invalid_argument("trailing");
  } catch (const std::exception&) {
    throw Error("--steps '" + text + "' is not a number; give the env steps per run, e.g. 60e6");
  }
  if (!(v > 0) || !std::isfinite(v) || v > 1e15 || v != std::floor(v)) {
    throw Error("--steps '" + text + "' must be a positive whole number of env steps per run (e.g. 60e6)");
  }
  return static_cast<int64_t>(v);
}

// The env-step target at the end of chunk k (1-based) of n.
int64_t chunk_target(int64_t steps, int k, int n) { return (steps / n) * k + (steps % n) * k / n; }

// The trainer's summed wall time (seconds) from the last row of metrics.csv.
double training_wall_time(const std::string& metrics_path) {
  std::ifstream in(metrics_path);
  std::string header, line, last;
  if (!in || !std::getline(in, header)) return std::nan("");
  while (std::getline(in, line)) if (!line.empty()) last = line;
  std::vector<std::string> cols, cells;
  std::stringstream hs(header), ls(last);
  std::string cell;
  while (std::getline(hs, cell, ',')) cols.push_back(cell);
  while (std::getline(ls, cell, ',')) cells.push_back(cell);
  for (size_t i = 0; i < cols.size() && i < cells.size(); ++i) {
    if (cols[i] == "wall_time" && !cells[i].empty()) return std::atof(cells[i].c_str());
  }
  return std::nan("");
}

// --- the suite -----------------------------------------------------------------

class Suite {
 public:
  explicit Suite(const SuiteArgs& args) : args_(args) {}

  int run();

 private:
  void validate();
  TrainConfig resolve(const std::string& task, const Variant& v, int64_t seed) const;
  void check_manifest();
  // Trains and evaluates one run to completion; "" on success, else what failed.
  std::string run_one(const Run& r, int slot);
  void say(const std::string& line);
  void plot();

  SuiteArgs args_;
  std::string exe_;
  int64_t steps_ = 0;
  std::vector<std::string> tasks_, user_sets_;
  std::vector<int64_t> seeds_;
  std::vector<Variant> variants_;
  std::vector<Run> runs_;
  bool deterministic_ = false;
  bool user_threads_ = false;
  int parallel_ = 1, threads_ = 1, cores_ = 1;
  std::mutex mu_;
  int finished_ = 0, to_do_ = 0;
  int64_t max_iteration_ = 0;  // the largest env steps per training iteration in the grid
};

void Suite::say(const std::string& line) {
  std::lock_guard<std::mutex> lock(mu_);
  std::cout << line << std::endl;
}

TrainConfig Suite::resolve(const std::string& task, const Variant& v, int64_t seed) const {
  // The same layering as `fpo train`, so every error shows before anything runs.
  TrainConfig config;
  ConfigSchema schema(config);
  schema.set("env.name", task, "--tasks");
  schema.set("algo", v.algo, "--algos");
  apply_presets(schema, task, v.algo, args_.preset);
  for (const auto& s : user_sets_) schema.set_assignment(s, "--set");
  for (const auto& s : v.overrides) schema.set_assignment(s, "ablation " + v.name);
  schema.set("steps", std::to_string(steps_), "--steps");
  schema.set("seed", std::to_string(seed), "--seeds");
  if (!args_.device.empty()) schema.set("device", args_.device, "--device");
  validate_config(config);
  if (config.lr_schedule == "linear" && args_.num_evals > 1) {
    throw Error("train.lr_schedule = linear cannot be used with --num-evals " + std::to_string(args_.num_evals) +
                ": the suite trains in chunks and each chunk's --steps would restart the decay; use --num-evals 1 "
                "or another train.lr_schedule");
  }
  return config;
}

void Suite::validate() {
  if (args_.out.empty()) throw Error("--out DIR is required");
  if (args_.tasks.empty()) throw Error("--tasks is required: a comma-separated list of environments (see `fpo envs`)");
  if (args_.steps.empty()) throw Error("--steps is required: env steps per run, e.g. 60e6");
  tasks_ = split_list(args_.tasks, "--tasks");
  const auto& registry = EnvRegistry::global();
  for (const auto& t : tasks_) {
    if (!registry.contains(t)) {
      throw Error("--tasks: unknown environment '" + t + "'; allowed: " + join(registry.names()));
    }
  }
  if (!args_.algos.empty()) {
    for (const auto& a : split_list(args_.algos, "--algos")) {
      if (std::find(kAlgos.begin(), kAlgos.end(), a) == kAlgos.end()) {
        throw Error("--algos: unknown algorithm '" + a + "'; allowed: " + join(kAlgos));
      }
      variants_.push_back({a, a, {}});
    }
  }
  if (!args_.ablations.empty()) {
    std::vector<std::string> names;
    for (const auto& ab : ablation_grid()) names.push_back(ab.name);
    const auto wanted = args_.ablations == "all" ? names : split_list(args_.ablations, "--ablations");
    for (const auto& w : wanted) {
      const auto it = std::find_if(ablation_grid().begin(), ablation_grid().end(),
                                   [&](const Ablation& ab) { return ab.name == w; });
      if (it == ablation_grid().end()) {
        throw Error("--ablations: unknown ablation '" + w + "'; allowed: all, " + join(names));
      }
      variants_.push_back({it->name, "fpo", it->overrides});
    }
  }
  if (variants_.empty()) throw Error("give --algos (e.g. fpo,ppo) and/or --ablations (e.g. n_mc_1,u_mse or all)");
  for (const auto& s : split_list(args_.seeds, "--seeds")) {
    try {
      size_t used = 0;
      const long long v = std::stoll(s, &used);
      if (used != s.size() || v < 0) throw std::invalid_argument("bad");
      seeds_.push_back(v);
    } catch (const std::exception&) {
      throw Error("--seeds: '" + s + "' is not a non-negative integer; give e.g. --seeds 0,1,2");
    }
  }
  steps_ = parse_steps(args_.steps);
  if (args_.num_evals < 1) {
    throw Error("--num-evals " + std::to_string(args_.num_evals) + " must be at least 1 (evaluations per run)");
  }
  if (steps_ < args_.num_evals) {
    throw Error("--steps " + std::to_string(steps_) + " is fewer than --num-evals " + std::to_string(args_.num_evals) +
                "; each evaluation chunk needs at least one env step");
  }
  if (args_.eval_episodes < 1) {
    throw Error("--eval-episodes " + std::to_string(args_.eval_episodes) + " must be at least 1");
  }
  if (!args_.preset.empty()) {
    const auto& names = preset_names();
    if (std::find(names.begin(), names.end(), args_.preset) == names.end()) {
      throw Error("--preset: unknown preset '" + args_.preset + "'; allowed: " + join(names));
    }
  }
  for (const auto& s : args_.sets) {
    const std::string key = s.substr(0, s.find('='));
    static const std::map<std::string, std::string> owned = {
        {"env.name", "--tasks"}, {"algo", "--algos"},     {"steps", "--steps"},
        {"seed", "--seeds"},     {"device", "--device"}};
    if (owned.count(key)) throw Error("--set " + s + ": the suite sets " + key + " itself; use " + owned.at(key));
    if (key == "env.threads") user_threads_ = true;
    user_sets_.push_back(s);
  }
  cores_ = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (args_.parallel < 0) throw Error("--parallel " + std::to_string(args_.parallel) + " must be >= 1 (0: automatic)");
  parallel_ = args_.parallel > 0 ? args_.parallel : (cores_ <= 4 ? 1 : cores_ / 4);
  if (parallel_ > kMaxWorkers) {
    throw Error("--parallel " + std::to_string(parallel_) + " is too many; at most " + std::to_string(kMaxWorkers));
  }
  threads_ = std::max(1, cores_ / parallel_);
  deterministic_ = args_.preset == "fpo++";
  exe_ = self_exe();

  for (const auto& task : tasks_) {
    for (const auto& v : variants_) {
      // Throws on a bad --set value, preset or combination.
      const TrainConfig config = resolve(task, v, seeds_.front());
      if (config.advantage == "gae") {
        max_iteration_ = std::max<int64_t>(max_iteration_, static_cast<int64_t>(config.num_envs) * config.unroll);
      }
      for (int64_t seed : seeds_) {
        Run r{task, &v, seed, task + "__" + v.name + "__seed" + std::to_string(seed), ""};
        r.dir = (fs::path(args_.out) / "runs" / r.name).string();
        if (fs::exists(r.dir) && !fs::is_directory(r.dir)) throw Error("'" + r.dir + "' exists and is not a directory");
        runs_.push_back(r);
      }
    }
  }
  if (fs::exists(args_.out) && !fs::is_directory(args_.out)) {
    throw Error("--out '" + args_.out + "' exists and is not a directory");
  }
}

// suite.json records what defines the runs' contents; re-running into the same
// DIR with other values would mix incomparable runs, so it is refused.
void Suite::check_manifest() {
  nlohmann::json m;
  m["steps"] = steps_;
  m["num_evals"] = args_.num_evals;
  m["eval_episodes"] = args_.eval_episodes;
  m["preset"] = args_.preset;
  m["set"] = user_sets_;
  m["deterministic_eval"] = deterministic_;
  const std::string path = (fs::path(args_.out) / "suite.json").string();
  if (fs::exists(path)) {
    nlohmann::json old;
    try {
      old = nlohmann::json::parse(read_file(path));
    } catch (const std::exception& e) {
      throw Error("'" + path + "' is not valid JSON (" + e.what() + "); remove it to continue");
    }
    static const std::map<std::string, std::string> flag = {{"steps", "--steps"},
                                                            {"num_evals", "--num-evals"},
                                                            {"eval_episodes", "--eval-episodes"},
                                                            {"preset", "--preset"},
                                                            {"set", "--set"}};
    for (const auto& [key, name] : flag) {
      if (old.contains(key) && old[key] != m[key]) {
        throw Error("'" + args_.out + "' holds a suite run with " + name + " " + old[key].dump() +
                    ", but this command gives " + m[key].dump() +
                    "; give the same settings to continue it, or a new --out");
      }
    }
  }
  m["tasks"] = tasks_;
  std::vector<std::string> names;
  for (const auto& v : variants_) names.push_back(v.name);
  m["variants"] = names;
  m["seeds"] = seeds_;
  fs::create_directories(fs::path(args_.out) / "runs");
  std::ofstream out(path);
  out << m.dump(2) << "\n";
  if (!out) throw Error("cannot write '" + path + "'");
}

std::string Suite::run_one(const Run& r, int slot) {
  const std::string evals_path = (fs::path(r.dir) / "evals.csv").string();
  const std::string log_path = (fs::path(r.dir) / "train.log").string();
  const std::string ckpt = (fs::path(r.dir) / "checkpoint.pt").string();
  const std::string config = (fs::path(r.dir) / "config.toml").string();
  const int n = args_.num_evals;
  ChildEnv env = make_child_env(threads_);

  std::vector<EvalRow> rows = read_evals(evals_path);
  const bool resumable = fs::exists(ckpt) && fs::exists(config);
  if (!resumable) rows.clear();
  for (int k = static_cast<int>(rows.size()) + 1; k <= n; ++k) {
    if (interrupted()) return "interrupted";
    const int64_t target = chunk_target(steps_, k, n);
    const bool fresh = !fs::exists(ckpt) || !fs::exists(config);
    // A chunk trained before its evaluation was cut off is evaluated, not trained again.
    const bool trained = !fresh && read_checkpoint_state(ckpt).env_steps >= target;
    std::vector<std::string> train = {exe_, "train"};
    std::string train_log = log_path;
    if (fresh) {
      // `train --force` empties the run directory, so the first chunk logs
      // beside it and the log moves in afterwards.
      train_log = (fs::path(args_.out) / "runs" / ("." + r.name + ".train.log")).string();
      std::ofstream(train_log, std::ios::trunc) << (fs::exists(log_path) ? read_file(log_path) : "");
      if (fs::exists(r.dir)) {
        append_file(train_log, "=== fpo suite: starting " + r.name + " over (no checkpoint.pt) ===\n");
      }
      train.insert(train.end(), {"--env", r.task, "--algo", r.variant->algo, "--seed", std::to_string(r.seed)});
      if (!args_.preset.empty()) train.insert(train.end(), {"--preset", args_.preset});
      for (const auto& s : user_sets_) train.insert(train.end(), {"--set", s});
      for (const auto& s : r.variant->overrides) train.insert(train.end(), {"--set", s});
      if (!user_threads_) train.insert(train.end(), {"--set", "env.threads=" + std::to_string(threads_)});
      train.insert(train.end(), {"--steps", std::to_string(target), "--out", r.dir, "--force"});
    } else {
      train.insert(train.end(), {"--resume", "--out", r.dir, "--steps", std::to_string(target)});
    }
    if (!args_.device.empty()) train.insert(train.end(), {"--device", args_.device});
    const auto t0 = std::chrono::steady_clock::now();
    int rc = 0;
    if (trained) {
      append_file(train_log, "=== fpo suite: chunk " + std::to_string(k) + "/" + std::to_string(n) +
                                 ": already trained (checkpoint at or past step " + std::to_string(target) +
                                 "), evaluating ===\n");
    } else {
      append_file(train_log, "=== fpo suite: chunk " + std::to_string(k) + "/" + std::to_string(n) + ": " +
                                 command_line(train) + " ===\n");
      rc = run_child(train, "/dev/null", train_log, env, slot);
    }
    const double train_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (fresh) {  // the temporary log began with the old one, so it replaces it
      fs::create_directories(r.dir);
      std::ofstream(log_path, std::ios::trunc) << read_file(train_log);
      fs::remove(train_log);
    }
    if (interrupted()) return "interrupted";
    if (rc != 0) {
      return "`fpo train` (chunk " + std::to_string(k) + "/" + std::to_string(n) + ") exited with status " +
             std::to_string(rc);
    }
    if (fresh) rows.clear();  // --force started an empty directory

    std::vector<std::string> eval = {exe_, "eval", "--run", r.dir, "--episodes", std::to_string(args_.eval_episodes),
                                     "--json", "--threads", std::to_string(threads_)};
    if (deterministic_) eval.push_back("--deterministic");
    if (!args_.device.empty()) eval.insert(eval.end(), {"--device", args_.device});
    append_file(log_path, "=== fpo suite: eval " + std::to_string(k) + "/" + std::to_string(n) + ": " +
                              command_line(eval) + " ===\n");
    const std::string json_path = (fs::path(r.dir) / ".eval.json").string();
    const int erc = run_child(eval, json_path, log_path, env, slot);
    if (interrupted()) return "interrupted";
    if (erc != 0) return "`fpo eval` (after chunk " + std::to_string(k) + ") exited with status " + std::to_string(erc);
    EvalRow row{};
    try {
      const auto j = nlohmann::json::parse(read_file(json_path));
      row.env_steps = j.at("env_steps_trained").get<double>();
      row.return_mean = j.at("return_mean").get<double>();
      row.return_std = j.at("return_std").get<double>();
    } catch (const std::exception& e) {
      return std::string("cannot read `fpo eval` output '") + json_path + "': " + e.what();
    }
    fs::remove(json_path);
    row.wall_time = training_wall_time((fs::path(r.dir) / "metrics.csv").string());
    rows.push_back(row);
    write_evals(evals_path, rows);
    char line[320];
    std::snprintf(line, sizeof line, "  %-40s eval %d/%d  %lld steps  return %s ± %s  (train %.0f s)",
                  r.name.c_str(), k, n, static_cast<long long>(row.env_steps), format_number(row.return_mean).c_str(),
                  format_number(row.return_std).c_str(), train_s);
    say(line);
  }
  return "";
}

void Suite::plot() {
  const std::string png = (fs::path(args_.out) / "curves.png").string();
  const ToolResult plotted =
      run_python_tool("plot_suite.py", {args_.out, "--out", png}, (fs::path(args_.out) / "plot.log").string(), threads_);
  if (!plotted.ok) {
    say("warning: no plot: " + plotted.problem + "; the curves are in " + args_.out + "/runs/*/evals.csv");
    return;
  }
  say("learning curves: " + png);
}

int Suite::run() {
  validate();
  check_manifest();
  const int n = args_.num_evals;
  std::vector<const Run*> pending;
  int done = 0, resume = 0;
  for (const auto& r : runs_) {
    const auto rows = read_evals((fs::path(r.dir) / "evals.csv").string());
    const bool ckpt = fs::exists(fs::path(r.dir) / "checkpoint.pt") && fs::exists(fs::path(r.dir) / "config.toml");
    if (ckpt && static_cast<int>(rows.size()) >= n) {
      ++done;
      continue;
    }
    if (ckpt) ++resume;
    pending.push_back(&r);
  }
  to_do_ = static_cast<int>(pending.size());
  const int workers = std::max(1, std::min(parallel_, to_do_));
  std::cout << "fpo suite: " << runs_.size() << " runs (" << tasks_.size() << " tasks x " << variants_.size()
            << " algos/variants x " << seeds_.size() << " seeds), " << steps_ << " env steps each, evaluated " << n
            << " times with " << args_.eval_episodes << " episodes ("
            << (deterministic_ ? "deterministic sampling: preset fpo++" : "stochastic sampling") << ")\n"
            << "  " << done << " finished, " << resume << " to continue, " << (to_do_ - resume) << " to start; "
            << parallel_ << " at a time, " << (user_threads_ ? std::string("env.threads from --set")
                                                             : "env.threads=" + std::to_string(threads_))
            << " each (" << cores_ << " cores); logs in " << args_.out << "/runs/<run>/train.log" << std::endl;
  if (steps_ / n < max_iteration_) {
    std::cout << "warning: evaluations every " << steps_ / n << " env steps are closer than one training iteration ("
              << max_iteration_ << " steps = env.num_envs x train.unroll); some will evaluate the same checkpoint"
              << std::endl;
  }

  forward_interrupts_to_children();
  std::vector<std::string> failures;
  size_t next = 0;
  auto worker = [&](int slot) {
    for (;;) {
      const Run* r = nullptr;
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (next >= pending.size() || interrupted()) return;
        r = pending[next++];
      }
      const int have = static_cast<int>(read_evals((fs::path(r->dir) / "evals.csv").string()).size());
      const bool ckpt = fs::exists(fs::path(r->dir) / "checkpoint.pt");
      say("start  " + r->name + (ckpt ? " (continuing at chunk " + std::to_string(std::min(have + 1, n)) + "/" +
                                            std::to_string(n) + ")"
                                      : ""));
      std::string err;
      try {
        err = run_one(*r, slot);
      } catch (const std::exception& e) {
        err = e.what();
      }
      const std::string log = (fs::path(r->dir) / "train.log").string();
      std::lock_guard<std::mutex> lock(mu_);
      ++finished_;
      if (err == "interrupted") {
        std::cout << "stop   " << r->name << " (interrupted)" << std::endl;
      } else if (!err.empty()) {
        failures.push_back(r->name + ": " + err + "; log: " + log);
        std::cout << "FAILED " << r->name << " [" << finished_ << "/" << to_do_ << "]: " << err << "; log: " << log
                  << "\n"
                  << tail_lines(log, 8) << std::flush;
      } else {
        const auto rows = read_evals((fs::path(r->dir) / "evals.csv").string());
        std::cout << "done   " << r->name << " [" << finished_ << "/" << to_do_ << "]: final return "
                  << format_number(rows.back().return_mean) << " at " << static_cast<long long>(rows.back().env_steps)
                  << " steps" << std::endl;
      }
    }
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < workers; ++i) threads.emplace_back(worker, i);
  for (auto& t : threads) t.join();
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);

  Grid grid{tasks_, variants_, seeds_.size(), args_.seeds, steps_, args_.preset, args_.eval_episodes,
            args_.num_evals, deterministic_, user_sets_};
  std::cout << "\n" << write_results(args_.out, runs_, grid);
  std::cout << "results: " << args_.out << "/results.md, " << args_.out << "/results.csv" << std::endl;
  plot();
  if (interrupted()) {
    std::cout << "interrupted: run the same command again to continue from the checkpoints" << std::endl;
    return 130;
  }
  if (!failures.empty()) {
    std::cout << failures.size() << " of " << to_do_ << " runs failed:\n";
    for (const auto& f : failures) std::cout << "  " << f << "\n";
    std::cout << "fix the cause and run the same command again to continue them" << std::endl;
    return 1;
  }
  return 0;
}

}  // namespace

Runner add_suite_command(CLI::App& app) {
  auto args = std::make_shared<SuiteArgs>();
  CLI::App* cmd = app.add_subcommand(
      "suite", "Train and evaluate a grid of tasks x algos x seeds; writes results.md (Table-1 form) and curves");
  cmd->add_option("--tasks", args->tasks, "comma-separated environments (see `fpo envs`)");
  cmd->add_option("--algos", args->algos, "comma-separated algorithms: fpo, ppo, dppo");
  cmd->add_option("--seeds", args->seeds, "comma-separated seeds")->capture_default_str();
  cmd->add_option("--steps", args->steps, "env steps per run (e.g. 60e6)");
  cmd->add_option("--preset", args->preset,
                  "preset for every run (see `fpo train --help`): " + join(preset_names(), " | "));
  cmd->add_option("--out", args->out, "suite directory (runs/, results.csv, results.md, curves.png)");
  cmd->add_option("--num-evals", args->num_evals, "evaluations per run, evenly spaced; the last gives the results")
      ->capture_default_str();
  cmd->add_option("--eval-episodes", args->eval_episodes, "episodes per evaluation")->capture_default_str();
  cmd->add_option("--parallel", args->parallel,
                  "runs at once (default 0: 1 on machines with <= 4 cores, else cores/4); each run gets "
                  "env.threads = cores / parallel")
      ->capture_default_str();
  std::vector<std::string> ablations;
  for (const auto& ab : ablation_grid()) ablations.push_back(ab.name);
  cmd->add_option("--ablations", args->ablations,
                  "the FPO paper's ablation rows, run as extra fpo variants: all, or a comma-separated subset of " +
                      join(ablations));
  cmd->add_option("--set", args->sets,
                  "override an option in every run: KEY=VALUE (repeatable; see `fpo train --help`)");
  cmd->add_option("--device", args->device, "cpu | cuda | auto, for training and evaluation");
  return [args] { return Suite(*args).run(); };
}

}  // namespace fpo::cli
