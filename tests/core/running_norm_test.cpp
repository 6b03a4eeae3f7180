// The observation normaliser: its loop path (CPU float32 rows, what acting
// uses) against its tensor path (any other input, here float64).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "fpo/algo/running_norm.h"

namespace fpo {
namespace {

TEST(RunningNorm, LoopPathEqualsTensorPath) {
  torch::manual_seed(4);
  RunningNorm rows(3, /*clip=*/2.0), tensors(3, /*clip=*/2.0);
  for (int k = 0; k < 5; ++k) {
    auto batch = torch::randn({7 + k, 3}) * torch::tensor({1.0f, 5.0f, 0.1f}) + torch::tensor({0.0f, -3.0f, 10.0f});
    rows->update(batch);                           // float32: loops
    tensors->update(batch.to(torch::kFloat64));    // float64: tensor ops
  }
  EXPECT_TRUE(torch::allclose(rows->mean(), tensors->mean(), 1e-12, 1e-12));
  EXPECT_TRUE(torch::allclose(rows->var(), tensors->var(), 1e-12, 1e-12));
  EXPECT_DOUBLE_EQ(rows->count().item<double>(), tensors->count().item<double>());
  EXPECT_NEAR(tensors->mean()[1].item<double>(), -3.0, 1.0);  // the statistics are the data's

  auto x = torch::randn({6, 3}) * 8.0;
  auto looped = rows->normalize(x);
  auto reference = rows->normalize(x.to(torch::kFloat64)).to(torch::kFloat32);
  EXPECT_TRUE(torch::allclose(looped, reference, 1e-5, 1e-6));
  EXPECT_LE(looped.abs().max().item<float>(), 2.0f);  // clipped
  EXPECT_GE(looped.abs().max().item<float>(), 2.0f);  // and the clip was reached
}

}  // namespace
}  // namespace fpo
