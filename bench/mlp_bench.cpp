// The small MLPs on CPU: LibTorch's modules against fpo::mlp_forward (fused
// BLAS kernels, one autograd node), forward alone and forward + backward.
// Arg: rows. The policy is the flow policy's 4 x 32 (cartpole: 5 + 1 + 8 in),
// the critic the old cpu settings' 3 x 128.
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "fpo/policy/fused_mlp.h"
#include "fpo/policy/mlp.h"

namespace {

torch::nn::Sequential policy_net() { return fpo::make_mlp(14, {32, 32, 32, 32}, 1, "silu"); }
torch::nn::Sequential critic_net() { return fpo::make_mlp(5, {128, 128, 128}, 1, "silu"); }

template <bool kFused>
void run(benchmark::State& state, torch::nn::Sequential net, bool backward) {
  auto x = torch::randn({state.range(0), net->children().front()->as<torch::nn::Linear>()->weight.size(1)});
  torch::optional<torch::NoGradGuard> no_grad;
  if (!backward) no_grad.emplace();
  for (auto _ : state) {
    auto y = kFused ? fpo::mlp_forward(net, x) : net->forward(x);
    if (backward) {
      net->zero_grad();
      y.sum().backward();
    }
    benchmark::DoNotOptimize(y.data_ptr<float>());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_PolicyForward_Torch(benchmark::State& s) { run<false>(s, policy_net(), false); }
void BM_PolicyForward_Fused(benchmark::State& s) { run<true>(s, policy_net(), false); }
void BM_PolicyTrain_Torch(benchmark::State& s) { run<false>(s, policy_net(), true); }
void BM_PolicyTrain_Fused(benchmark::State& s) { run<true>(s, policy_net(), true); }
void BM_CriticTrain_Torch(benchmark::State& s) { run<false>(s, critic_net(), true); }
void BM_CriticTrain_Fused(benchmark::State& s) { run<true>(s, critic_net(), true); }

}  // namespace

BENCHMARK(BM_PolicyForward_Torch)->Arg(32)->Arg(2048)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_PolicyForward_Fused)->Arg(32)->Arg(2048)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_PolicyTrain_Torch)->Arg(2048)->Arg(8192)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_PolicyTrain_Fused)->Arg(2048)->Arg(8192)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_CriticTrain_Torch)->Arg(256)->Arg(1024)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_CriticTrain_Fused)->Arg(256)->Arg(1024)->Unit(benchmark::kMicrosecond);
