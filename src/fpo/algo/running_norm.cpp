#include "fpo/algo/running_norm.h"

#include <algorithm>
#include <cmath>

#include "fpo/dist/collective.h"

namespace fpo {

RunningNormImpl::RunningNormImpl(int64_t dim, double clip) : clip_(clip) {
  // Double precision: counts reach 1e8 and float would stall the mean.
  mean_ = register_buffer("mean", torch::zeros({dim}, torch::kFloat64));
  var_ = register_buffer("var", torch::ones({dim}, torch::kFloat64));
  count_ = register_buffer("count", torch::full({1}, 1e-4, torch::kFloat64));
}

namespace {
// The rollout calls update and normalize once per env step on a few dozen
// rows, where LibTorch's per-op cost (~17 ops) outweighs the arithmetic:
// CPU float batches with CPU statistics take plain loops, same formulas.
bool on_host(const torch::Tensor& x, const torch::Tensor& stats) {
  return x.device().is_cpu() && stats.device().is_cpu() && x.scalar_type() == torch::kFloat32 && x.dim() == 2 &&
         x.size(0) > 0 && x.size(1) == stats.size(0);
}
}  // namespace

void RunningNormImpl::update(const torch::Tensor& batch) {
  torch::NoGradGuard no_grad;
  if (on_host(batch, mean_)) return update_on_host(batch.contiguous());
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

void RunningNormImpl::update_on_host(const torch::Tensor& batch) {
  const int64_t n = batch.size(0), d = batch.size(1);
  const float* x = batch.data_ptr<float>();
  double* mean = mean_.data_ptr<double>();
  double* var = var_.data_ptr<double>();
  double& count = *count_.data_ptr<double>();
  const double total = count + n;
  for (int64_t j = 0; j < d; ++j) {
    double sum = 0, sum_sq = 0;
    for (int64_t i = 0; i < n; ++i) sum += x[i * d + j];
    const double batch_mean = sum / n;
    for (int64_t i = 0; i < n; ++i) sum_sq += (x[i * d + j] - batch_mean) * (x[i * d + j] - batch_mean);
    const double batch_var = sum_sq / n, delta = batch_mean - mean[j];
    mean[j] += delta * n / total;
    var[j] = (var[j] * count + batch_var * n + delta * delta * count * n / total) / total;
  }
  count = total;
}

torch::Tensor RunningNormImpl::normalize(const torch::Tensor& x) const {
  if (on_host(x, mean_) && !torch::GradMode::is_enabled()) {
    const auto in = x.contiguous();
    auto out = torch::empty_like(in);
    const int64_t n = in.size(0), d = in.size(1);
    const float* src = in.data_ptr<float>();
    float* dst = out.data_ptr<float>();
    const double* mean = mean_.data_ptr<double>();
    const double* var = var_.data_ptr<double>();
    const float clip = static_cast<float>(clip_);
    for (int64_t j = 0; j < d; ++j) {
      // As the tensor path: statistics rounded to float, then float arithmetic.
      const float m = static_cast<float>(mean[j]), s = static_cast<float>(std::sqrt(var[j] + 1e-8));
      for (int64_t i = 0; i < n; ++i) dst[i * d + j] = std::clamp((src[i * d + j] - m) / s, -clip, clip);
    }
    return out;
  }
  auto mean = mean_.to(x.dtype());
  auto std = (var_ + 1e-8).sqrt().to(x.dtype());
  return ((x - mean) / std).clamp(-clip_, clip_);
}

}  // namespace fpo
