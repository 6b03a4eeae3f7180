// Network costs that bound training speed: acting (K sampler steps + N_mc CFM
// losses for FPO) and one minibatch update (log-ratio forward + backward).
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "fpo/algo/objective.h"
#include "fpo/policy/flow_policy.h"
#include "fpo/policy/gaussian_policy.h"

namespace {

constexpr int64_t kObs = 17, kAct = 6;  // cheetah_run sizes

void BM_FlowAct(benchmark::State& state) {
  torch::NoGradGuard no_grad;
  fpo::FlowPolicy policy(kObs, kAct, fpo::FlowPolicyConfig{});
  auto obs = torch::randn({state.range(0), kObs});
  for (auto _ : state) benchmark::DoNotOptimize(policy.act(obs, false, true).action);
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_GaussianAct(benchmark::State& state) {
  torch::NoGradGuard no_grad;
  fpo::GaussianPolicy policy(kObs, kAct, fpo::GaussianPolicyConfig{});
  auto obs = torch::randn({state.range(0), kObs});
  for (auto _ : state) benchmark::DoNotOptimize(policy.act(obs, false, true).action);
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_FlowUpdateStep(benchmark::State& state) {
  fpo::FlowPolicy policy(kObs, kAct, fpo::FlowPolicyConfig{});
  torch::optim::Adam adam(policy.parameters(), 3e-4);
  const int64_t b = state.range(0);
  auto obs = torch::randn({b, kObs});
  fpo::ActResult act;
  {
    torch::NoGradGuard no_grad;
    act = policy.act(obs, false, true);
  }
  auto adv = torch::randn({b});
  for (auto _ : state) {
    auto loss = fpo::ppo_clip_loss(policy.log_ratio(obs, act.action, act.memory), adv, 0.05);
    adam.zero_grad();
    loss.backward();
    adam.step();
  }
  state.SetItemsProcessed(state.iterations() * b);
}

}  // namespace

BENCHMARK(BM_FlowAct)->Arg(32)->Arg(256)->Arg(2048)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_GaussianAct)->Arg(32)->Arg(256)->Arg(2048)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_FlowUpdateStep)->Arg(256)->Arg(1024)->Unit(benchmark::kMicrosecond);
