#pragma once
#include <torch/torch.h>

namespace fpo {

// Sinusoidal embedding of flow time t in [0, 1]: for k = 0 .. dim/2-1 with
// frequency w_k = pi * 2^k, the first half holds sin(w_k t), the second half
// cos(w_k t). t: any shape [...]; result: [..., dim]. dim must be even.
torch::Tensor sinusoidal_time_embedding(const torch::Tensor& t, int64_t dim);
// The same for one t, into out[0 .. dim) (dim checked by the tensor version).
void sinusoidal_time_embedding(float t, int64_t dim, float* out);

}  // namespace fpo
