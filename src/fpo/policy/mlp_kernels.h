#pragma once
// The elementwise parts of the fused small-MLP kernels (fused_mlp.cpp): the
// activation over a layer's output, and its derivative in backward. Plain C++ on float rows, no LibTorch, written so the compiler
// vectorises them (this file is built with -O3, and an x86-64-v3 (AVX2 +
// FMA) clone of each loop is chosen at load time where the CPU has it).
#include <cstdint>

namespace fpo::kernels {

enum class Activation : int { kNone, kSilu, kTanh, kRelu, kElu };

// z[i] = act(z[i]) in place. For silu, sig (if not null) receives sigmoid(z),
// which backward needs.
void activate(Activation act, float* z, int64_t size, float* sig);

// g[i] *= act'(z_i), given the activation's output a (and silu's sigmoid s).
void scale_by_derivative(Activation act, float* g, const float* a, const float* s, int64_t size);

// exp(x) to ~2 ulp in float, vectorisable (std::exp is a libm call per
// element); NaN stays NaN, +-inf saturate to the float range's ends.
float vector_exp(float x);

}  // namespace fpo::kernels
