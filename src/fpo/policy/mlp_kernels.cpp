#include "fpo/policy/mlp_kernels.h"

#include <cmath>
#include <cstring>

// An AVX2 + FMA copy of each loop, picked at load time where the CPU has them.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define FPO_VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define FPO_VECTOR_CLONES
#endif

namespace fpo::kernels {

// Cephes' expf: exp(x) = 2^n exp(r), n = round(x / ln 2), |r| <= ln 2 / 2, exp(r) by
// a degree-6 polynomial; ln 2 split in two so that r is exact.
inline float exp_inline(float x) {
  const bool nan = x != x;
  float c = nan ? 0.0f : x;
  c = c > 88.3762626647949f ? 88.3762626647949f : c;
  c = c < -87.3365447504f ? -87.3365447504f : c;
  // round to nearest by adding and removing 1.5 * 2^23 (no libm call, so it vectorises)
  const float n = (c * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  const float r = c - n * 0.693359375f + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  const int32_t bits = (static_cast<int32_t>(n) + 127) << 23;  // 2^n, n in [-126, 127]
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return nan ? x : p * scale;
}

float vector_exp(float x) { return exp_inline(x); }

namespace {

FPO_VECTOR_CLONES void silu(float* __restrict z, int64_t size, float* __restrict sig) {
  for (int64_t i = 0; i < size; ++i) {
    const float s = 1.0f / (1.0f + exp_inline(-z[i]));
    z[i] *= s;
    sig[i] = s;
  }
}

FPO_VECTOR_CLONES void silu_output_only(float* z, int64_t size) {
  for (int64_t i = 0; i < size; ++i) z[i] *= 1.0f / (1.0f + exp_inline(-z[i]));  // rounded as silu(): see its use
}

FPO_VECTOR_CLONES void relu(float* z, int64_t size) {
  for (int64_t i = 0; i < size; ++i) z[i] = z[i] > 0.0f ? z[i] : (z[i] != z[i] ? z[i] : 0.0f);  // relu(NaN) = NaN
}

// tanh and elu keep libm's functions: exact near 0, where exp-based forms cancel.
void tanh_in_place(float* z, int64_t size) {
  for (int64_t i = 0; i < size; ++i) z[i] = std::tanh(z[i]);
}

void elu(float* z, int64_t size) {
  for (int64_t i = 0; i < size; ++i) z[i] = z[i] > 0.0f ? z[i] : std::expm1(z[i]);
}

FPO_VECTOR_CLONES void silu_derivative(float* g, const float* a, const float* s, int64_t size) {
  for (int64_t i = 0; i < size; ++i) g[i] *= s[i] + a[i] * (1.0f - s[i]);  // s + z s (1 - s), a = z s
}

FPO_VECTOR_CLONES void tanh_derivative(float* g, const float* a, int64_t size) {
  for (int64_t i = 0; i < size; ++i) g[i] *= 1.0f - a[i] * a[i];
}

FPO_VECTOR_CLONES void relu_derivative(float* g, const float* a, int64_t size) {
  for (int64_t i = 0; i < size; ++i) g[i] = a[i] > 0.0f ? g[i] : 0.0f;
}

FPO_VECTOR_CLONES void elu_derivative(float* g, const float* a, int64_t size) {
  for (int64_t i = 0; i < size; ++i) g[i] *= a[i] > 0.0f ? 1.0f : a[i] + 1.0f;  // elu' = elu + 1 below 0
}

}  // namespace

void activate(Activation act, float* z, int64_t size, float* sig) {
  switch (act) {
    case Activation::kNone: return;
    // Acting (no sig) and training must give the same numbers, or the ratio
    // at the acting parameters is not exactly 1: the same rounding in both.
    case Activation::kSilu: return sig ? silu(z, size, sig) : silu_output_only(z, size);
    case Activation::kTanh: return tanh_in_place(z, size);
    case Activation::kRelu: return relu(z, size);
    case Activation::kElu: return elu(z, size);
  }
}

void scale_by_derivative(Activation act, float* g, const float* a, const float* s, int64_t size) {
  switch (act) {
    case Activation::kNone: return;
    case Activation::kSilu: return silu_derivative(g, a, s, size);
    case Activation::kTanh: return tanh_derivative(g, a, size);
    case Activation::kRelu: return relu_derivative(g, a, size);
    case Activation::kElu: return elu_derivative(g, a, size);
  }
}

}  // namespace fpo::kernels
