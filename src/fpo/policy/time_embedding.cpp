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

}  // namespace fpo
