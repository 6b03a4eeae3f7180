#include "fpo/policy/time_embedding.h"

#include <cmath>

#include "fpo/common/error.h"

namespace fpo {

torch::Tensor sinusoidal_time_embedding(const torch::Tensor& t, int64_t dim) {
  if (dim < 2 || dim % 2 != 0) {
    throw Error("flow.t_embed_dim must be an even number >= 2, got " + std::to_string(dim));
  }
  const int64_t half = dim / 2;
  auto exponents = torch::arange(half, t.options());
  auto freqs = M_PI * torch::pow(2.0, exponents);  // [half]
  auto angles = t.unsqueeze(-1) * freqs;             // [..., half]
  return torch::cat({torch::sin(angles), torch::cos(angles)}, -1);
}

void sinusoidal_time_embedding(float t, int64_t dim, float* out) {
  const int64_t half = dim / 2;
  float freq = static_cast<float>(M_PI);  // pi * 2^k, exact in float as in the tensor version
  for (int64_t k = 0; k < half; ++k, freq *= 2.0f) {
    const float angle = t * freq;
    out[k] = std::sin(angle);
    out[half + k] = std::cos(angle);
  }
}

}  // namespace fpo
