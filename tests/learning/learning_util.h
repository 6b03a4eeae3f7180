#pragma once
// Short training runs for the learning tests: train with the shared Trainer,
// then evaluate with the same protocol as `fpo eval`.
#include <cstdlib>
#include <string>

#include "fpo/algo/evaluate.h"
#include "fpo/algo/trainer.h"
#include "fpo/env/registry.h"

namespace fpo::testing {

// The training seed: `fallback`, or FPO_LEARNING_SEED when set, to re-measure
// a test's margin over other seeds (e.g. FPO_LEARNING_SEED=1
// build/tests/fpo_learning_tests --gtest_filter='GridWorldLearning.*').
inline int64_t learning_seed(int64_t fallback) {
  const char* s = std::getenv("FPO_LEARNING_SEED");
  return s != nullptr && *s != '\0' ? std::stoll(s) : fallback;
}

inline void train_until_done(Trainer& trainer) {
  while (!trainer.finished()) trainer.iterate();
}

inline EvalResult evaluate_trained(Trainer& trainer, const std::string& env, int episodes, bool deterministic,
                                   const EnvOptions& options = {}) {
  EvalOptions eval;
  eval.episodes = episodes;
  eval.deterministic = deterministic;
  eval.seed = 4242;
  eval.threads = 2;
  return evaluate(trainer.agent(), EnvRegistry::global().make(env, options), eval, trainer.device());
}

inline double success_rate(const EvalResult& r) {
  int ok = 0;
  for (int o : r.outcomes) ok += o >= 0;
  return static_cast<double>(ok) / static_cast<double>(r.outcomes.size());
}

inline double mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

}  // namespace fpo::testing
