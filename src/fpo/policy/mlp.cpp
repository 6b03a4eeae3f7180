#include "fpo/policy/mlp.h"

#include <sstream>

#include "fpo/common/error.h"

namespace fpo {

std::vector<int64_t> parse_layer_widths(const std::string& text, const std::string& what) {
  std::vector<int64_t> widths;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    try {
      size_t used = 0;
      const long long w = std::stoll(item, &used);
      if (used != item.size() || w < 1) throw std::invalid_argument("bad");
      widths.push_back(w);
    } catch (const std::exception&) {
      throw Error(what + " = '" + text + "' is not a comma-separated list of positive layer widths (e.g. 32,32,32,32)");
    }
  }
  if (widths.empty()) throw Error(what + " must list at least one layer width, got '" + text + "'");
  return widths;
}

namespace {
void add_activation(torch::nn::Sequential& net, const std::string& activation) {
  if (activation == "silu") net->push_back(torch::nn::SiLU());
  else if (activation == "tanh") net->push_back(torch::nn::Tanh());
  else if (activation == "relu") net->push_back(torch::nn::ReLU());
  else if (activation == "elu") net->push_back(torch::nn::ELU());
  else throw Error("unknown activation '" + activation + "'; allowed: silu, tanh, relu, elu");
}
}  // namespace

torch::nn::Sequential make_mlp(int64_t in_dim, const std::vector<int64_t>& hidden, int64_t out_dim,
                               const std::string& activation, double last_layer_gain) {
  torch::nn::Sequential net;
  int64_t width = in_dim;
  for (int64_t h : hidden) {
    net->push_back(torch::nn::Linear(width, h));
    add_activation(net, activation);
    width = h;
  }
  torch::nn::Linear last(width, out_dim);
  {
    torch::NoGradGuard no_grad;
    last->weight.mul_(last_layer_gain);
    last->bias.zero_();
  }
  net->push_back(last);
  return net;
}

}  // namespace fpo
