#pragma once
// Plain multi-layer perceptrons for policies and critics.
#include <torch/torch.h>

#include <string>
#include <vector>

namespace fpo {

// Parses "32,32,32,32" into layer widths; throws fpo::Error naming `what` on bad input.
std::vector<int64_t> parse_layer_widths(const std::string& text, const std::string& what);

// Linear layers of the given widths with `activation` (silu|tanh|relu|elu)
// between them and none after the last. Final layer weights are scaled by
// `last_layer_gain` (small values start policies near zero output).
torch::nn::Sequential make_mlp(int64_t in_dim, const std::vector<int64_t>& hidden, int64_t out_dim,
                               const std::string& activation, double last_layer_gain = 1.0);

}  // namespace fpo
