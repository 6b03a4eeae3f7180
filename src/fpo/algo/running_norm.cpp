#include "fpo/algo/running_norm.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace fpo {

namespace {
// On CPU, acting calls update and normalize once or twice per env step on a
// few dozen rows: written as loops they cost ~1 us instead of ~20 LibTorch ops.
bool host_rows(const torch::Tensor& x, const torch::Tensor& buffer) {
  return x.dim() == 2 && x.device().is_cpu() && buffer.device().is_cpu() && x.scalar_type() == torch::kFloat32 &&
         x.is_contiguous();
}
}  // namespace

RunningNormImpl::RunningNormImpl(int64_t dim, double clip) : clip_(clip) {
  // Double precision: counts reach 1e8 and float would stall the mean.
  mean_ = register_buffer("mean", torch::zeros({dim}, torch::kFloat64));
  var_ = register_buffer("var", torch::ones({dim}, torch::kFloat64));
  count_ = register_buffer("count", torch::full({1}, 1e-4, torch::kFloat64));
}

void RunningNormImpl::update(const torch::Tensor& batch) {
  torch::NoGradGuard no_grad;
  if (host_rows(batch, mean_) && batch.size(0) > 0) {
    const int64_t n = batch.size(0), dim = batch.size(1);
    const float* x = batch.data_ptr<float>();
    double* mean = mean_.data_ptr<double>();
    double* var = var_.data_ptr<double>();
    double& count = *count_.data_ptr<double>();
    const double total = count + static_cast<double>(n);
    for (int64_t j = 0; j < dim; ++j) {
      double sum = 0, sq = 0;
      for (int64_t i = 0; i < n; ++i) sum += x[i * dim + j];
      const double batch_mean = sum / static_cast<double>(n);
      for (int64_t i = 0; i < n; ++i) sq += (x[i * dim + j] - batch_mean) * (x[i * dim + j] - batch_mean);
      const double delta = batch_mean - mean[j];
      const double m2 = var[j] * count + sq + delta * delta * count * static_cast<double>(n) / total;
      mean[j] += delta * static_cast<double>(n) / total;
      var[j] = m2 / total;
    }
    count = total;
    return;
  }
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
  if (host_rows(x, mean_) && !x.requires_grad()) {
    const int64_t n = x.size(0), dim = x.size(1);
    std::vector<float> mean(static_cast<size_t>(dim)), std(static_cast<size_t>(dim));
    for (int64_t j = 0; j < dim; ++j) {  // the same float rounding as the tensor expression below
      mean[j] = static_cast<float>(mean_.data_ptr<double>()[j]);
      std[j] = static_cast<float>(std::sqrt(var_.data_ptr<double>()[j] + 1e-8));
    }
    auto out = torch::empty_like(x);
    const float* in = x.data_ptr<float>();
    float* o = out.data_ptr<float>();
    const auto lo = static_cast<float>(-clip_), hi = static_cast<float>(clip_);
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t j = 0; j < dim; ++j) o[i * dim + j] = std::clamp((in[i * dim + j] - mean[j]) / std[j], lo, hi);
    }
    return out;
  }
  auto mean = mean_.to(x.dtype());
  auto std = (var_ + 1e-8).sqrt().to(x.dtype());
  return ((x - mean) / std).clamp(-clip_, clip_);
}

}  // namespace fpo
