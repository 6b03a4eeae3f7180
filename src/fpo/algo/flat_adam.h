#pragma once
// torch::optim::Adam's step for one parameter group, run on flat buffers. The
// group's parameters, their gradients and their Adam moments are moved into
// one contiguous buffer each (the tensors stay the modules' own, now views),
// so a step is ~8 ops for the whole group instead of ~8 per tensor. On CPU
// each LibTorch op costs microseconds whatever its size: over the 16 tensors
// of policy + critic, zero_grad, clipping and Adam cost ~0.8 ms per Adam step.
// The optimizer keeps its per-tensor state (checkpoints are unchanged); the
// arithmetic is Adam::step's, bit for bit (tests/core/flat_adam_test.cpp).
#include <torch/torch.h>

#include <vector>

namespace fpo {

class FlatAdamGroup {
 public:
  // Group `group` of `adam`, which must be plain Adam (no weight decay, no
  // amsgrad) over parameters of one dtype and device.
  FlatAdamGroup(torch::optim::Adam& adam, size_t group);

  // Re-points into the buffers whatever was replaced since the last call,
  // copying its values: parameters (a checkpoint load gives them new storage),
  // gradients, Adam state (a loaded optimizer holds new tensors). Only
  // pointer comparisons when nothing changed: call before every step.
  void bind();
  void zero_grad() { grad_.zero_(); }
  const torch::Tensor& grad() const { return grad_; }  // the group's gradient, flat
  // One Adam step at the group's current options (lr).
  void step();

 private:
  torch::optim::AdamParamState& state_of(const torch::Tensor& p);

  torch::optim::Adam& adam_;
  size_t group_;
  std::vector<int64_t> offsets_;
  torch::Tensor param_, grad_, exp_avg_, exp_avg_sq_;  // [total numel] each
};

}  // namespace fpo
