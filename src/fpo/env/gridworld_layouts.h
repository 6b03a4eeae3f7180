#pragma once
// GridWorld layouts as drawn maps (internal to the gridworld env; the public
// interface is gridworld.h). Legend: '#' wall, '.' free, 'X' death; any other
// letter is a goal region named in `goals`. Rows are drawn top row (y = 24)
// first. Walls must not touch only diagonally: moves are checked on the
// target cell alone, so a diagonal-only gap would let the agent slip through
// (the tests check this).
#include <array>
#include <string>
#include <utility>
#include <vector>

#include "fpo/env/gridworld.h"

namespace fpo {

struct GridWorldLayoutArt {
  const char* name;
  std::array<const char*, kGridWorldSize> rows;
  std::vector<std::pair<char, std::string>> goals;  // letter -> outcome name
  // Goal region the scripted controller heads for; empty: the nearest one.
  std::string scripted_target;
};

// The five layouts of the FPO paper's GridWorld (akanazawa/fpo), then ours.
const std::vector<GridWorldLayoutArt>& gridworld_layout_art();

}  // namespace fpo
