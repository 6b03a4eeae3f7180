#include "fpo/algo/running_norm.h"

namespace fpo {

RunningNormImpl::RunningNormImpl(int64_t dim, double clip) : clip_(clip) {
  // Double precision: counts reach 1e8 and float would stall the mean.
  mean_ = register_buffer("mean", torch::zeros({dim}, torch::kFloat64));
  var_ = register_buffer("var", torch::ones({dim}, torch::kFloat64));
  count_ = register_buffer("count", torch::full({1}, 1e-4, torch::kFloat64));
}

void RunningNormImpl::update(const torch::Tensor& batch) {
  torch::NoGradGuard no_grad;
  auto x = batch.to(torch::kFloat64);
  const double n = static_cast<double>(x.size(0));
  auto batch_mean = x.mean(0);
  auto batch_var = x.var(0, /*unbiased=*/false);
  auto delta = batch_mean - mean_;
  auto total = count_ + n;
  auto new_mean = mean_ + delta * n / total;
  auto m2 = var_ * count_ + batch_var * n + delta.pow(2) * count_ * n / total;
  mean_.copy_(new_mean);
  var_.copy_(m2 / total);
  count_.copy_(total);
}

torch::Tensor RunningNormImpl::normalize(const torch::Tensor& x) const {
  auto mean = mean_.to(x.dtype());
  auto std = (var_ + 1e-8).sqrt().to(x.dtype());
  return ((x - mean) / std).clamp(-clip_, clip_);
}

}  // namespace fpo
