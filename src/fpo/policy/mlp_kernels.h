#pragma once
// The elementwise parts of the fused small-MLP kernels (fused_mlp.cpp): bias
// plus activation over a layer's output, and the activation's derivative in
// backward. Plain C++ on float rows, no LibTorch, written so the compiler
// vectorises them (this file is built with -O3 and an AVX2 clone chosen at
// run time).
#include <cstdint>

namespace fpo::kernels {

enum class Activation : int { kNone, kSilu, kTanh, kRelu, kElu };

// z[n, h] += bias (per column), then act in place. For silu, sig (if not
// null) receives sigmoid(z + bias), which backward needs.
void bias_activation(Activation act, float* z, const float* bias, int64_t n, int64_t h, float* sig);

// g[i] *= act'(z_i), given the activation's output a (and silu's sigmoid s).
void scale_by_derivative(Activation act, float* g, const float* a, const float* s, int64_t size);

// exp(x) to ~2 ulp in float, vectorisable (std::exp is a libm call per
// element); NaN stays NaN, +-inf saturate to the float range's ends.
float vector_exp(float x);

}  // namespace fpo::kernels
