#pragma once
#include <torch/torch.h>

namespace fpo {

// Running mean and variance of observations (parallel Welford update), kept
// as module buffers so checkpoints carry them.
class RunningNormImpl : public torch::nn::Module {
 public:
  explicit RunningNormImpl(int64_t dim, double clip = 10.0);
  void update(const torch::Tensor& batch);  // batch: [N, dim]
  torch::Tensor normalize(const torch::Tensor& x) const;
  torch::Tensor mean() const { return mean_; }
  torch::Tensor var() const { return var_; }
  torch::Tensor count() const { return count_; }

 private:
  double clip_;
  torch::Tensor mean_, var_, count_;
};
TORCH_MODULE(RunningNorm);

}  // namespace fpo
