#pragma once
// Draws a GridWorld layout and agent paths on it, for `fpo render` on
// gridworld runs: free cells light, walls dark, goals green, death cells red,
// each episode's path in its own colour with the agent as a square at its end.
#include <string>
#include <vector>

#include "fpo/render/frame.h"

namespace fpo::render {

struct GridCell {
  int x = 0, y = 0;  // x = column left to right, y = row with y = 0 at the bottom
};

// ascii_map: gridworld_ascii_map()'s form (top row first, '#' wall, 'G' goal,
// 'X' death, '.' free). paths[e] is episode e's cells in order; each is drawn
// up to and including index `up_to` (or whole if it is shorter).
Frame draw_gridworld(const std::string& ascii_map, const std::vector<std::vector<GridCell>>& paths, size_t up_to,
                     int cell_pixels);

}  // namespace fpo::render
