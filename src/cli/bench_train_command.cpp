// fpo bench train: where one training iteration's time goes. Runs real
// iterations of the configured training (after warm-up) and splits them into
// physics, acting and the update's phases per Adam step; then times the
// acting calls alone at the rollout's batch size to split acting further
// (sampling the action, what the policy stores for its ratio -- FPO: the
// CFM pairs and their losses -- and the critic).
#include <chrono>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/bench.h"
#include "cli/config_layers.h"
#include "cli/run_dir.h"
#include "fpo/algo/rollout_collector.h"
#include "fpo/algo/trainer.h"
#include "fpo/env/registry.h"

namespace fpo::cli {

namespace {

struct BenchTrainArgs {
  std::string env = "cartpole_balance";
  std::string algo = "fpo";
  std::string preset;
  std::vector<std::string> sets;
  int iterations = 3;
  int warmup = 1;
  int repeats = 20;
  bool json = false;
};

using Clock = std::chrono::steady_clock;

// Mean seconds of fn() over `repeats` calls, after one untimed call.
template <typename Fn>
double time_call(int repeats, Fn&& fn) {
  fn();
  const auto t0 = Clock::now();
  for (int i = 0; i < repeats; ++i) fn();
  return std::chrono::duration<double>(Clock::now() - t0).count() / repeats;
}

int run_bench_train(const BenchTrainArgs& args) {
  const TrainConfig config = resolve_layers({args.env, args.algo, true, true, args.preset, "", args.sets});
  const EnvFactory factory = EnvRegistry::global().make(config.env, env_options_from(config));
  Trainer trainer(config, factory);
  for (int i = 0; i < args.warmup; ++i) trainer.iterate();

  UpdateProfile update;
  trainer.set_update_profile(&update);
  double wall = 0, env_time = 0, act_time = 0, update_time = 0;
  for (int i = 0; i < args.iterations; ++i) {
    const auto t0 = Clock::now();
    const MetricsRow row = trainer.iterate();
    wall += std::chrono::duration<double>(Clock::now() - t0).count();
    env_time += metric(row, "time_env");
    act_time += metric(row, "time_act");
    update_time += metric(row, "time_update");
  }
  trainer.set_update_profile(nullptr);
  const double steps = static_cast<double>(trainer.steps_per_iteration()) * args.iterations;

  // Acting calls alone, on the current observations of all envs.
  Agent& agent = trainer.agent();
  torch::NoGradGuard no_grad;
  const int64_t n = config.num_envs, od = factory.spec.obs_dim;
  auto obs = agent.normalized(
      torch::from_blob(const_cast<float*>(trainer.env().obs()), {n, od}, torch::kFloat32).clone().to(trainer.device()));
  const double sample = time_call(args.repeats, [&] { agent.policy->act(obs, false, false); });
  const double sample_and_pairs = time_call(args.repeats, [&] { agent.policy->act(obs, false, true); });
  // The collector evaluates the critic once per iteration on 2 x unroll x N rows (obs and next obs).
  const int64_t value_rows = std::min<int64_t>(2LL * config.unroll * n, 1 << 16);
  auto many = obs.repeat({(value_rows + n - 1) / n, 1}).narrow(0, 0, value_rows);
  const double value_per_row = time_call(std::max(1, args.repeats / 4), [&] { agent.value_of(many); }) / value_rows;

  const double us = 1e6;
  const double adam = static_cast<double>(std::max<int64_t>(update.adam_steps, 1));
  const int rows_per_sample = config.algo == "fpo" ? config.flow.n_mc : 1;
  const double policy_rows = static_cast<double>(update.samples) / adam * rows_per_sample;
  const double step_compute = update.forward + update.backward + update.optimizer;
  nlohmann::json out = {
      {"env", config.env}, {"algo", config.algo}, {"num_envs", n}, {"unroll", config.unroll},
      {"epochs", config.epochs}, {"minibatches", config.minibatches}, {"iterations", args.iterations},
      {"torch_threads", config.torch_threads}, {"env_threads", trainer.env().num_threads()},
      {"env_steps_per_sec", steps / wall},
      {"us_per_env_step", {{"total", wall / steps * us}, {"physics", env_time / steps * us},
                           {"acting", act_time / steps * us}, {"update", update_time / steps * us}}},
      {"acting_us_per_env_step", {{"sampler", sample / n * us}, {"ratio_memory", (sample_and_pairs - sample) / n * us},
                                  {"value", 2 * value_per_row * us}}},
      {"update", {{"adam_steps_per_iteration", update.adam_steps / args.iterations},
                  {"samples_per_adam_step", update.samples / adam}, {"policy_rows_per_adam_step", policy_rows},
                  {"us_per_adam_step", {{"gather", update.gather / adam * us}, {"forward", update.forward / adam * us},
                                        {"backward", update.backward / adam * us},
                                        {"optimizer", update.optimizer / adam * us},
                                        {"bookkeeping", update.bookkeeping / adam * us}}},
                  {"advantages_ms_per_iteration", update.advantages / args.iterations * 1e3},
                  {"us_per_policy_row", step_compute / adam / policy_rows * us}}}};
  if (args.json) {
    std::cout << out.dump() << "\n";
    return 0;
  }
  const auto& per = out["us_per_env_step"];
  const auto& act = out["acting_us_per_env_step"];
  const auto& upd = out["update"];
  const auto& ph = upd["us_per_adam_step"];
  std::printf("%s, %s: %lld envs x %d steps, %d epochs x %d minibatches; %d iteration(s) after %d warm-up;\n"
              "torch threads %d, env threads %d\n",
              config.env.c_str(), config.algo.c_str(), static_cast<long long>(n), config.unroll, config.epochs,
              config.minibatches, args.iterations, args.warmup, config.torch_threads, trainer.env().num_threads());
  std::printf("  %.0f env steps/s; us per env step: total %.2f = physics %.2f + acting %.2f + update %.2f\n",
              out["env_steps_per_sec"].get<double>(), per["total"].get<double>(), per["physics"].get<double>(),
              per["acting"].get<double>(), per["update"].get<double>());
  std::printf("  acting alone, us per env step at batch %lld: sampling %.2f, ratio memory (FPO: the CFM pairs) %.2f, "
              "critic %.2f\n",
              static_cast<long long>(n), act["sampler"].get<double>(), act["ratio_memory"].get<double>(),
              act["value"].get<double>());
  std::printf("  update: %lld Adam steps per iteration on %.0f samples (%.0f policy rows) each; us per Adam step:\n"
              "    gather %.1f, forward %.1f, backward %.1f, optimiser %.1f, bookkeeping %.1f; advantages %.2f ms "
              "per iteration\n"
              "  update cost per policy row (forward + backward + optimiser): %.3f us\n",
              static_cast<long long>(upd["adam_steps_per_iteration"].get<int64_t>()),
              upd["samples_per_adam_step"].get<double>(), policy_rows, ph["gather"].get<double>(),
              ph["forward"].get<double>(), ph["backward"].get<double>(), ph["optimizer"].get<double>(),
              ph["bookkeeping"].get<double>(), upd["advantages_ms_per_iteration"].get<double>(),
              upd["us_per_policy_row"].get<double>());
  return 0;
}

}  // namespace

Runner add_bench_train(CLI::App* bench) {
  auto args = std::make_shared<BenchTrainArgs>();
  CLI::App* cmd = bench->add_subcommand("train", "Where a training iteration's time goes: physics, acting, update phases");
  cmd->add_option("--env", args->env, "environment")->capture_default_str();
  cmd->add_option("--algo", args->algo, "fpo | ppo | dppo")->capture_default_str();
  cmd->add_option("--preset", args->preset, "preset, as for train");
  cmd->add_option("--set", args->sets, "key=value, as for train (repeatable)");
  cmd->add_option("--iterations", args->iterations, "measured iterations, 1 to 1000")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  cmd->add_option("--warmup", args->warmup, "iterations before measuring, 0 to 100")
      ->check(CLI::Range(0, 100))
      ->capture_default_str();
  cmd->add_option("--repeats", args->repeats, "calls per timed acting measurement, 1 to 10000")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  cmd->add_flag("--json", args->json, "JSON output");
  return [args] { return run_bench_train(*args); };
}

}  // namespace fpo::cli
