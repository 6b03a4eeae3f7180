#pragma once
// A scope that leaves LibTorch's default random generator for a device as it
// found it: measurements and evaluations draw noise without moving the
// training's random stream.
#include <torch/torch.h>

namespace fpo {

class GeneratorRestore {
 public:
  explicit GeneratorRestore(const torch::Device& device)
      : generator_(at::globalContext().defaultGenerator(device)), saved_(generator_.get_state()) {}
  ~GeneratorRestore() { generator_.set_state(saved_); }
  GeneratorRestore(const GeneratorRestore&) = delete;
  GeneratorRestore& operator=(const GeneratorRestore&) = delete;

 private:
  at::Generator generator_;
  at::Tensor saved_;
};

}  // namespace fpo
