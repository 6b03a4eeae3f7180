// `evaluate` seeds its own sampling, and hands the caller's random stream back
// untouched: a training run that evaluates in between goes on as it would have.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "fpo/algo/evaluate.h"
#include "fpo/algo/trainer.h"
#include "fpo/env/registry.h"

namespace fpo {
namespace {

TEST(Evaluate, IsReproducibleAndLeavesTheCallersRandomStreamAsItWas) {
  TrainConfig c;
  c.env = "gridworld:two_walls";
  c.algo = "fpo";
  c.num_envs = 4;
  c.unroll = 4;
  c.minibatches = 2;
  c.threads = 1;
  c.flow.hidden = "8";
  c.value_hidden = "8";
  Trainer trainer(c, EnvRegistry::global().make(c.env));
  EvalOptions eval;
  eval.episodes = 3;
  eval.seed = 4242;
  eval.threads = 1;
  torch::manual_seed(7);
  const torch::Tensor expected = torch::randn({4});
  torch::manual_seed(7);
  const EvalResult first = evaluate(trainer.agent(), EnvRegistry::global().make(c.env), eval, trainer.device());
  EXPECT_TRUE(torch::equal(torch::randn({4}), expected));
  const EvalResult second = evaluate(trainer.agent(), EnvRegistry::global().make(c.env), eval, trainer.device());
  EXPECT_EQ(first.returns, second.returns);
  EXPECT_EQ(first.lengths, second.lengths);
}

}  // namespace
}  // namespace fpo
