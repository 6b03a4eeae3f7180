// fpo bench env: environment throughput of VecEnv beside a raw mj_step loop
// on the same model in the same run (physics only: no observation, reward or
// threading; it resets every 1000 steps with the task's reset physics steps).
#include <mujoco/mujoco.h>

#include <chrono>
#include <cmath>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>

#include "cli/bench.h"
#include "fpo/common/error.h"
#include "fpo/env/dmc/mujoco_task.h"
#include "fpo/env/registry.h"
#include "fpo/env/vec_env.h"

namespace fpo::cli {

namespace {

struct BenchArgs {
  std::string env = "cartpole_balance";
  int envs = 64;
  std::vector<int> threads;
  int steps = 2000;
  bool json = false;
};

using Clock = std::chrono::steady_clock;

std::vector<float> random_actions(int n, int act_dim) {
  std::vector<float> a(static_cast<size_t>(n) * act_dim);
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> u(-1, 1);
  for (auto& x : a) x = u(rng);
  return a;
}

double vec_env_rate(const EnvFactory& f, int envs, int threads, int steps) {
  VecEnv env(f, envs, threads, 1);
  const auto actions = random_actions(envs, f.spec.act_dim);
  for (int s = 0; s < steps / 10; ++s) env.step(actions.data());  // warm-up
  const auto t0 = Clock::now();
  for (int s = 0; s < steps; ++s) env.step(actions.data());
  return static_cast<double>(envs) * steps / std::chrono::duration<double>(Clock::now() - t0).count();
}

// Env steps per second of n_substeps raw mj_step calls per env step, one thread.
// Every 1000 env steps an env resets, with the task's extra reset physics
// steps (cheetah lets its random pose settle for 200), as the VecEnv does.
double raw_rate(const mjModel* m, int n_substeps, int reset_steps, int envs, int steps, int act_dim) {
  std::vector<mjData*> data;
  for (int i = 0; i < envs; ++i) data.push_back(mj_makeData(m));
  const auto actions = random_actions(envs, act_dim);
  auto run = [&](int count) {
    for (int s = 0; s < count; ++s) {
      for (int i = 0; i < envs; ++i) {
        mjData* d = data[i];
        for (int u = 0; u < m->nu; ++u) d->ctrl[u] = actions[static_cast<size_t>(i) * act_dim + u];
        for (int k = 0; k < n_substeps; ++k) mj_step(m, d);
        if (d->time > 1000 * n_substeps * m->opt.timestep) {
          mj_resetData(m, d);
          for (int k = 0; k < reset_steps; ++k) mj_step(m, d);
          d->time = 0.0;
        }
      }
    }
  };
  run(steps / 10);
  const auto t0 = Clock::now();
  run(steps);
  const double rate = static_cast<double>(envs) * steps / std::chrono::duration<double>(Clock::now() - t0).count();
  for (auto* d : data) mj_deleteData(d);
  return rate;
}

int run_bench_env(BenchArgs args) {
  const EnvFactory f = EnvRegistry::global().make(args.env);
  if (args.threads.empty()) args.threads = {1, static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))};
  nlohmann::json out = {{"env", args.env}, {"envs", args.envs}, {"steps_per_env", args.steps}};
  auto probe = f.make();
  const auto* task = dynamic_cast<const dmc::MujocoTask*>(probe.get());
  double raw = std::nan("");
  if (task) {
    const mjModel* m = task->model();
    const int n_substeps = static_cast<int>(std::lround(f.spec.control_dt / m->opt.timestep));
    raw = raw_rate(m, n_substeps, task->reset_physics_steps(), args.envs, args.steps, f.spec.act_dim);
    out["raw_mj_step_env_steps_per_sec"] = raw;
    out["n_substeps"] = n_substeps;
    out["reset_physics_steps"] = task->reset_physics_steps();
  }
  nlohmann::json rows = nlohmann::json::array();
  for (int t : args.threads) {
    if (t < 1) throw Error("--threads values must be >= 1, got " + std::to_string(t));
    const double rate = vec_env_rate(f, args.envs, t, args.steps);
    nlohmann::json row = {{"threads", t}, {"env_steps_per_sec", rate}};
    if (task) row["ratio_to_raw_one_thread"] = rate / raw;
    rows.push_back(row);
  }
  out["vec_env"] = rows;
  if (args.json) {
    std::cout << out.dump() << "\n";
    return 0;
  }
  std::printf("env %s, %d envs, %d steps each\n", args.env.c_str(), args.envs, args.steps);
  if (task) {
    std::printf("  raw mj_step loop (1 thread):  %12.0f env steps/s", raw);
    if (task->reset_physics_steps() > 0) {
      std::printf("   (with the task's %d physics steps per reset)", task->reset_physics_steps());
    }
    std::printf("\n");
  }
  for (const auto& row : rows) {
    std::printf("  VecEnv, %2d thread(s):         %12.0f env steps/s", row["threads"].get<int>(),
                row["env_steps_per_sec"].get<double>());
    if (task) std::printf("   (%.2fx raw)", row["ratio_to_raw_one_thread"].get<double>());
    std::printf("\n");
  }
  return 0;
}

}  // namespace

Runner add_bench_env(CLI::App* bench) {
  auto args = std::make_shared<BenchArgs>();
  CLI::App* env = bench->add_subcommand("env", "VecEnv steps/s beside a raw mj_step loop on the same model");
  env->add_option("--env", args->env, "environment")->capture_default_str();
  env->add_option("--envs", args->envs, "number of environments")->check(CLI::Range(1, 65536))->capture_default_str();
  env->add_option("--threads", args->threads, "thread counts to measure, e.g. 1,2 (default: 1 and the number of cores)")
      ->delimiter(',');
  env->add_option("--steps", args->steps, "steps per env")->check(CLI::Range(1, 100000000))->capture_default_str();
  env->add_flag("--json", args->json, "JSON output");
  return [args] { return run_bench_env(*args); };
}

Runner add_bench_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("bench", "Measure throughput (bench env: environment steps/s; bench train: "
                                              "where a training iteration's time goes)");
  cmd->require_subcommand(1);
  const Runner env = add_bench_env(cmd), train = add_bench_train(cmd);
  CLI::App* env_cmd = cmd->get_subcommand("env");
  return [=] { return env_cmd->parsed() ? env() : train(); };
}

}  // namespace fpo::cli
