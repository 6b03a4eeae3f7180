#pragma once
// The FPO paper's ablation rows as data: each row is a name and the option
// overrides (key=value, as for --set) that turn the default FPO run into it.
// A suite runner applies them on top of a base configuration.
#include <string>
#include <vector>

namespace fpo {

struct Ablation {
  std::string name;                    // e.g. "n_mc_4"
  std::string description;             // one line for listings
  std::vector<std::string> overrides;  // "key=value" assignments
  // The paper's average return over its 10 DM Control tasks for this row
  // (DESIGN.md), or NaN where it reports none.
  double paper_return;
};

// In the paper's order: MC pairs (1, 4, 8), CFM loss (u, eps), clip (0.05, 0.1, 0.2).
const std::vector<Ablation>& ablation_grid();

}  // namespace fpo
