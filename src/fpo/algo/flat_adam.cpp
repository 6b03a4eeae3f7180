#include "fpo/algo/flat_adam.h"

#include <cmath>

#include "fpo/common/error.h"

namespace fpo {

namespace {
// `t` (or nothing) moved into `slot` of a flat buffer: returns the view that replaces it.
torch::Tensor into_slot(const torch::Tensor& flat, int64_t offset, const torch::Tensor& like, const torch::Tensor& t) {
  auto slot = flat.narrow(0, offset, like.numel()).view(like.sizes());
  if (t.defined()) slot.copy_(t.detach().view(like.sizes()));
  else slot.zero_();
  return slot;
}
bool is_slot(const torch::Tensor& t, const torch::Tensor& flat, int64_t offset) {
  return t.defined() && t.data_ptr() == static_cast<void*>(static_cast<char*>(flat.data_ptr()) + offset * flat.element_size());
}
}  // namespace

FlatAdamGroup::FlatAdamGroup(torch::optim::Adam& adam, size_t group) : adam_(adam), group_(group) {
  auto& g = adam_.param_groups().at(group_);
  const auto& options = static_cast<const torch::optim::AdamOptions&>(g.options());
  if (options.weight_decay() != 0 || options.amsgrad()) {
    throw Error("FlatAdamGroup: only plain Adam (no weight decay, no amsgrad) is implemented");
  }
  int64_t total = 0;
  for (const auto& p : g.params()) {
    if (p.options().dtype() != g.params().front().options().dtype() || p.device() != g.params().front().device()) {
      throw Error("FlatAdamGroup: a parameter group must have one dtype and one device");
    }
    offsets_.push_back(total);
    total += p.numel();
  }
  const auto opts = g.params().empty() ? torch::TensorOptions() : g.params().front().options();
  param_ = torch::empty({total}, opts.requires_grad(false));
  grad_ = torch::zeros({total}, opts.requires_grad(false));
  exp_avg_ = torch::zeros({total}, opts.requires_grad(false));
  exp_avg_sq_ = torch::zeros({total}, opts.requires_grad(false));
  bind();
}

torch::optim::AdamParamState& FlatAdamGroup::state_of(const torch::Tensor& p) {
  auto& state = adam_.state();
  const auto key = c10::guts::to_string(p.unsafeGetTensorImpl());  // Adam's own key
  auto it = state.find(key);
  if (it == state.end()) it = state.emplace(key, std::make_unique<torch::optim::AdamParamState>()).first;
  return static_cast<torch::optim::AdamParamState&>(*it->second);
}

void FlatAdamGroup::bind() {
  torch::NoGradGuard no_grad;
  auto& params = adam_.param_groups().at(group_).params();
  for (size_t i = 0; i < params.size(); ++i) {
    auto& p = params[i];
    const int64_t off = offsets_[i];
    if (!is_slot(p, param_, off)) p.set_data(into_slot(param_, off, p, p));
    if (!is_slot(p.grad(), grad_, off)) p.mutable_grad() = into_slot(grad_, off, p, p.grad());
    auto& s = state_of(p);
    if (!is_slot(s.exp_avg(), exp_avg_, off)) s.exp_avg(into_slot(exp_avg_, off, p, s.exp_avg()));
    if (!is_slot(s.exp_avg_sq(), exp_avg_sq_, off)) s.exp_avg_sq(into_slot(exp_avg_sq_, off, p, s.exp_avg_sq()));
    if (s.step() != state_of(params.front()).step()) {
      throw Error("FlatAdamGroup: the parameters of a group have taken different numbers of Adam steps");
    }
  }
}

void FlatAdamGroup::step() {
  torch::NoGradGuard no_grad;
  auto& g = adam_.param_groups().at(group_);
  if (g.params().empty()) return;
  const auto& options = static_cast<const torch::optim::AdamOptions&>(g.options());
  int64_t step = 0;
  for (const auto& p : g.params()) {
    auto& s = state_of(p);
    s.step(s.step() + 1);
    step = s.step();
  }
  // Adam::step's arithmetic, on the whole group at once.
  const double beta1 = std::get<0>(options.betas()), beta2 = std::get<1>(options.betas());
  const double bias_correction1 = 1 - std::pow(beta1, step);
  const double bias_correction2 = 1 - std::pow(beta2, step);
  exp_avg_.mul_(beta1).add_(grad_, 1 - beta1);
  exp_avg_sq_.mul_(beta2).addcmul_(grad_, grad_, 1 - beta2);
  auto denom = (exp_avg_sq_.sqrt() / std::sqrt(bias_correction2)).add_(options.eps());
  param_.addcdiv_(exp_avg_, denom, -options.lr() / bias_correction1);
}

}  // namespace fpo
