#include "fpo/algo/running_norm.h"

#include "fpo/dist/collective.h"

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
  update_moments(static_cast<double>(x.size(0)), x.mean(0), x.var(0, /*unbiased=*/false));
}

void RunningNormImpl::update(const torch::Tensor& batch, Collective* collective) {
  if (collective == nullptr || !collective->distributed()) return update(batch);
  torch::NoGradGuard no_grad;
  // Sums over every rank's rows, then the moments of their union.
  auto x = batch.to(torch::kCPU, torch::kFloat64);
  auto n = torch::full({1}, static_cast<double>(x.size(0)), x.options());
  auto sum = x.sum(0), sum_sq = x.pow(2).sum(0);
  collective->sum({n, sum, sum_sq}, "merging observation statistics");
  const double total = n.item<double>();
  if (total <= 0) return;
  auto mean = sum / total, var = (sum_sq / total - mean.pow(2)).clamp_min(0.0);
  update_moments(total, mean.to(mean_.device()), var.to(mean_.device()));
}

void RunningNormImpl::update_moments(double n, const torch::Tensor& batch_mean, const torch::Tensor& batch_var) {
  torch::NoGradGuard no_grad;
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
