#pragma once
// GridWorld from the FPO paper: a 25x25 grid where an agent moves one cell
// per step (8 directions or stay) towards goal regions. Small enough to look
// at the whole action distribution a policy learned at one cell, which is
// what it is for: checking that a flow policy can be multimodal.
//
// Cells are (x, y): x = column 0..24 left to right, y = row 0..24 with y = 0
// the bottom row. Observation: (x / 12 - 1, y / 12 - 1) in [-1, 1]^2.
// Action: 2 floats in [-1, 1]; each axis is a move of -1 (a < -1/3),
// +1 (a > 1/3) or 0. A move into a wall or off the grid leaves the agent in
// place. A goal cell ends the episode with reward +1 (outcome = its region),
// a death cell with -1 (outcome = "death"); every other step gives 0.
//
// Registered as "gridworld:<layout>" for each name in gridworld_layout_names().
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
