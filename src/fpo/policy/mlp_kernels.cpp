#include "fpo/policy/mlp_kernels.h"

#include <cmath>
#include <cstring>

// An AVX2 + FMA copy of each loop, picked at load time where the CPU has them.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define FPO_VECTOR_CLONES __attribute__((target_clones("avx2,fma", "default")))
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

FPO_VECTOR_CLONES void bias_only(float* z, const float* bias, int64_t n, int64_t h) {
  for (int64_t i = 0; i < n; ++i) {
    float* row = z + i * h;
    for (int64_t j = 0; j < h; ++j) row[j] += bias[j];
  }
}

FPO_VECTOR_CLONES void bias_silu(float* z, const float* bias, int64_t n, int64_t h, float* sig) {
  for (int64_t i = 0; i < n; ++i) {
    float* row = z + i * h;
    float* srow = sig + i * h;
    for (int64_t j = 0; j < h; ++j) {
      const float v = row[j] + bias[j];
      const float s = 1.0f / (1.0f + exp_inline(-v));
      row[j] = v * s;
      srow[j] = s;
    }
  }
}

FPO_VECTOR_CLONES void bias_silu_output_only(float* z, const float* bias, int64_t n, int64_t h) {
  for (int64_t i = 0; i < n; ++i) {
    float* row = z + i * h;
    for (int64_t j = 0; j < h; ++j) {
      const float v = row[j] + bias[j];
      row[j] = v * (1.0f / (1.0f + exp_inline(-v)));  // rounded as bias_silu: training sees acting's numbers
    }
  }
}

FPO_VECTOR_CLONES void bias_relu(float* z, const float* bias, int64_t n, int64_t h) {
  for (int64_t i = 0; i < n; ++i) {
    float* row = z + i * h;
    for (int64_t j = 0; j < h; ++j) {
      const float v = row[j] + bias[j];
      row[j] = v > 0.0f ? v : (v != v ? v : 0.0f);  // relu(NaN) = NaN, as LibTorch's
    }
  }
}

// tanh and elu keep libm's functions: exact near 0, where exp-based forms cancel.
void bias_tanh(float* z, const float* bias, int64_t n, int64_t h) {
  for (int64_t i = 0; i < n * h; ++i) z[i] = std::tanh(z[i] + bias[i % h]);
}

void bias_elu(float* z, const float* bias, int64_t n, int64_t h) {
  for (int64_t i = 0; i < n * h; ++i) {
    const float v = z[i] + bias[i % h];
    z[i] = v > 0.0f ? v : std::expm1(v);
  }
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

void bias_activation(Activation act, float* z, const float* bias, int64_t n, int64_t h, float* sig) {
  switch (act) {
    case Activation::kNone: return bias_only(z, bias, n, h);
    case Activation::kSilu: return sig ? bias_silu(z, bias, n, h, sig) : bias_silu_output_only(z, bias, n, h);
    case Activation::kTanh: return bias_tanh(z, bias, n, h);
    case Activation::kRelu: return bias_relu(z, bias, n, h);
    case Activation::kElu: return bias_elu(z, bias, n, h);
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
