// Environment stepping cost: VecEnv (batched, auto-reset) vs a raw mj_step loop.
#include <benchmark/benchmark.h>
#include <mujoco/mujoco.h>

#include <random>

#include "fpo/env/dmc/mujoco_task.h"
#include "fpo/env/registry.h"
#include "fpo/env/vec_env.h"

namespace {

void BM_VecEnvStep(benchmark::State& state, const char* task) {
  const auto factory = fpo::EnvRegistry::global().make(task);
  const int n = static_cast<int>(state.range(0));
  fpo::VecEnv env(factory, n, static_cast<int>(state.range(1)), 1);
  std::vector<float> actions(static_cast<size_t>(n) * factory.spec.act_dim);
  std::mt19937 rng(0);
  std::uniform_real_distribution<float> u(-1, 1);
  for (auto& a : actions) a = u(rng);
  for (auto _ : state) env.step(actions.data());
  state.SetItemsProcessed(state.iterations() * n);
}

void BM_RawMjStep(benchmark::State& state, const char* task, const char* asset) {
  auto model = fpo::dmc::load_embedded_model(task, asset);
  mjData* d = mj_makeData(model.get());
  for (auto _ : state) {
    mj_step(model.get(), d);
    if (d->time > 10) mj_resetData(model.get(), d);
  }
  state.SetItemsProcessed(state.iterations());
  mj_deleteData(d);
}

}  // namespace

BENCHMARK_CAPTURE(BM_VecEnvStep, cartpole_balance, "cartpole_balance")->Args({64, 1})->Args({64, 2});
BENCHMARK_CAPTURE(BM_VecEnvStep, cheetah_run, "cheetah_run")->Args({64, 1})->Args({64, 2});
BENCHMARK_CAPTURE(BM_VecEnvStep, gridworld, "gridworld:two_walls")->Args({64, 1});
BENCHMARK_CAPTURE(BM_RawMjStep, cartpole, "cartpole_balance", "cartpole.xml");
BENCHMARK_CAPTURE(BM_RawMjStep, cheetah, "cheetah_run", "cheetah.xml");
