#pragma once
// GridWorld from the FPO paper (akanazawa/fpo, gridworld/utils/gridworld.py):
// a 25x25 grid where an agent moves one cell per step (8 directions or stay)
// towards goal regions. Small enough to look at the whole action distribution
// a policy learned at one cell, which is what it is for: checking that a flow
// policy can be multimodal.
//
// Cells are (x, y): x = column 0..24 left to right, y = row 0..24 with y = 0
// the bottom row. Observation: ((x - 12) / 12, (y - 12) / 12) in [-1, 1]^2.
// Action: 2 floats in [-1, 1]; each axis is rounded to a move of -1
// (a < -0.5), +1 (a > 0.5) or 0. The target is clamped to the grid per axis;
// a wall target leaves the agent in place. Entering a goal cell ends the
// episode with reward +20 (outcome = its region), a death cell with -10
// (outcome = "death"); every other step gives 0. Episodes are truncated after
// 100 steps. Random starts: uniform over the cells that are neither goal,
// death nor wall.
//
// Registered as "gridworld:<layout>" for each name in gridworld_layout_names():
// the paper's two_walls, three_goals, tree_in_the_middle, two_slits, cshape,
// then ours (two_walls_gaps). The maps: gridworld_layouts.cpp.
#include <string>
#include <vector>

namespace fpo {

constexpr int kGridWorldSize = 25;

// The layout names, without the "gridworld:" prefix, in a fixed order.
const std::vector<std::string>& gridworld_layout_names();

// The layout as kGridWorldSize lines of kGridWorldSize chars, top row (y = 24)
// first, each line ending in '\n': '#' wall, 'G' goal, 'X' death, '.' free.
// Accepts "two_walls" or "gridworld:two_walls"; throws fpo::Error otherwise.
std::string gridworld_ascii_map(const std::string& layout_name);

}  // namespace fpo
