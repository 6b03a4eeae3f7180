#pragma once
#include <torch/torch.h>

namespace fpo {

class Collective;

// Running mean and variance of observations (parallel Welford update), kept
// as module buffers so checkpoints carry them.
class RunningNormImpl : public torch::nn::Module {
 public:
  explicit RunningNormImpl(int64_t dim, double clip = 10.0);
  void update(const torch::Tensor& batch);  // batch: [N, dim]
  // The update with the union of every rank's batch (one collective), so all
  // ranks normalise alike (collective nullptr or one process: update(batch)).
  void update(const torch::Tensor& batch, Collective* collective);
  torch::Tensor normalize(const torch::Tensor& x) const;
  torch::Tensor mean() const { return mean_; }
  torch::Tensor var() const { return var_; }
  torch::Tensor count() const { return count_; }

 private:
  // The update from a batch's size, per-dimension mean and (biased) variance.
  void update_moments(double n, const torch::Tensor& batch_mean, const torch::Tensor& batch_var);
  // update() for a CPU float batch [N, dim] with CPU statistics, in plain loops.
  void update_on_host(const torch::Tensor& batch);

  double clip_;
  torch::Tensor mean_, var_, count_;
};
TORCH_MODULE(RunningNorm);

}  // namespace fpo
