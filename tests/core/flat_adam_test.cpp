// FlatAdamGroup against torch::optim::Adam: the same parameters, bit for bit,
// also after parameters and optimizer state were replaced (a checkpoint load).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <vector>

#include "fpo/algo/flat_adam.h"
#include "fpo/common/error.h"
#include "fpo/policy/mlp.h"

namespace fpo {
namespace {

struct Nets {
  torch::nn::Sequential a, b;
  std::unique_ptr<torch::optim::Adam> adam;
};

Nets make_setup(uint64_t seed) {
  torch::manual_seed(seed);
  Nets s{make_mlp(3, {8, 8}, 2, "silu"), make_mlp(3, {5}, 1, "tanh"), nullptr};
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(s.a->parameters(), std::make_unique<torch::optim::AdamOptions>(3e-3));
  groups.emplace_back(s.b->parameters(), std::make_unique<torch::optim::AdamOptions>(1e-2));
  s.adam = std::make_unique<torch::optim::Adam>(std::move(groups), torch::optim::AdamOptions(1e-3));
  return s;
}

torch::Tensor loss_of(Nets& s, int step) {
  torch::manual_seed(100 + step);
  auto x = torch::randn({16, 3});
  return s.a->forward(x).pow(2).sum() + (s.b->forward(x) - 1.0).pow(2).mean();
}

void expect_same(Nets& reference, Nets& flat) {
  auto pr = reference.a->parameters(), pf = flat.a->parameters();
  for (auto& p : reference.b->parameters()) pr.push_back(p);
  for (auto& p : flat.b->parameters()) pf.push_back(p);
  ASSERT_EQ(pr.size(), pf.size());
  for (size_t i = 0; i < pr.size(); ++i) EXPECT_TRUE(torch::equal(pr[i], pf[i])) << "parameter " << i;
}

TEST(FlatAdam, StepsAsTorchAdamBitForBit) {
  Nets reference = make_setup(1), flat = make_setup(1);
  FlatAdamGroup g0(*flat.adam, 0), g1(*flat.adam, 1);
  for (int step = 0; step < 6; ++step) {
    reference.adam->zero_grad();
    loss_of(reference, step).backward();
    reference.adam->step();

    g0.bind();
    g1.bind();
    g0.zero_grad();
    g1.zero_grad();
    loss_of(flat, step).backward();
    g0.step();
    g1.step();
    expect_same(reference, flat);
    if (step == 2) {
      // What a checkpoint load does: parameters get new storage, Adam new state tensors.
      torch::NoGradGuard no_grad;
      for (auto& p : flat.a->parameters()) p.set_(p.clone());
      for (auto& [key, state] : flat.adam->state()) {
        auto& s = static_cast<torch::optim::AdamParamState&>(*state);
        s.exp_avg(s.exp_avg().clone());
      }
      static_cast<torch::optim::AdamOptions&>(flat.adam->param_groups()[0].options()).lr(5e-3);
      static_cast<torch::optim::AdamOptions&>(reference.adam->param_groups()[0].options()).lr(5e-3);
    }
  }
  // The optimizer's own per-tensor state follows (checkpoints save it).
  for (const auto& [key, state] : flat.adam->state()) {
    EXPECT_EQ(static_cast<torch::optim::AdamParamState&>(*state).step(), 6);
  }
  EXPECT_GT(g0.grad().abs().sum().item<double>(), 0.0);
}

TEST(FlatAdam, RefusesOptionsItDoesNotImplement) {
  auto net = make_mlp(2, {4}, 1, "silu");
  torch::optim::Adam decay(net->parameters(), torch::optim::AdamOptions(1e-3).weight_decay(0.1));
  EXPECT_THROW(FlatAdamGroup(decay, 0), Error);
}

}  // namespace
}  // namespace fpo
