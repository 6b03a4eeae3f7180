#include "fpo/env/gridworld.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <deque>
#include <memory>
#include <random>
#include <utility>

#include "fpo/common/error.h"
#include "fpo/env/gridworld_layouts.h"
#include "fpo/env/registry.h"

namespace fpo {
namespace {

constexpr int kN = kGridWorldSize;
constexpr int kCells = kN * kN;
// The authors round the clipped action: |a| > 0.5 moves (round half to even
// sends exactly +-0.5 to 0).
constexpr float kMoveThreshold = 0.5f;
constexpr float kGoalReward = 20.0f;
constexpr float kDeathReward = -10.0f;
constexpr int kMaxEpisodeSteps = 100;
const char* const kPrefix = "gridworld:";

// ---------------------------------------------------------------------------
// A layout compiled into flat per-cell tables; built once, shared read-only
// by every env instance and thread.
// ---------------------------------------------------------------------------
constexpr int8_t kWall = -2;
constexpr int8_t kFree = -1;

inline int cell_index(int x, int y) { return y * kN + x; }

struct Layout {
  std::string name;
  std::vector<std::string> outcome_names;
  int death_outcome = -1;            // index of "death", or -1 without death cells
  std::array<int8_t, kCells> cell{}; // kWall, kFree, or the outcome index
  std::vector<int> free_cells;       // random start cells
  std::string ascii;                 // the public map
  int scripted_target = -1;          // outcome index, or -1: nearest goal
};

Layout compile(const GridWorldLayoutArt& art) {
  Layout layout;
  layout.name = art.name;
  for (const auto& g : art.goals) layout.outcome_names.push_back(g.second);
  bool has_death = false;
  for (const char* row : art.rows) has_death = has_death || std::string(row).find('X') != std::string::npos;
  if (has_death) {
    layout.death_outcome = static_cast<int>(layout.outcome_names.size());
    layout.outcome_names.push_back("death");
  }
  for (int r = 0; r < kN; ++r) {
    const std::string row = art.rows[r];
    if (static_cast<int>(row.size()) != kN) {
      throw Error("gridworld layout '" + layout.name + "': row " + std::to_string(r) + " has " +
                  std::to_string(row.size()) + " cells, expected " + std::to_string(kN));
    }
    const int y = kN - 1 - r;  // art is drawn top row first
    for (int x = 0; x < kN; ++x) {
      const char c = row[x];
      int8_t value = kFree;
      char shown = '.';
      if (c == '#') {
        value = kWall;
        shown = '#';
      } else if (c == 'X') {
        value = static_cast<int8_t>(layout.death_outcome);
        shown = 'X';
      } else if (c != '.') {
        auto it = std::find_if(art.goals.begin(), art.goals.end(),
                               [c](const auto& g) { return g.first == c; });
        if (it == art.goals.end()) {
          throw Error("gridworld layout '" + layout.name + "': unknown cell '" + std::string(1, c) +
                      "'; allowed: '#', '.', 'X' or a goal letter");
        }
        value = static_cast<int8_t>(it - art.goals.begin());
        shown = 'G';
      }
      layout.cell[cell_index(x, y)] = value;
      layout.ascii += shown;
      if (value == kFree) layout.free_cells.push_back(cell_index(x, y));
    }
    layout.ascii += '\n';
  }
  for (size_t i = 0; i < art.goals.size(); ++i) {
    if (art.goals[i].second == art.scripted_target) layout.scripted_target = static_cast<int>(i);
  }
  return layout;
}

const std::vector<Layout>& layouts() {
  static const std::vector<Layout> all = [] {
    std::vector<Layout> out;
    for (const auto& art : gridworld_layout_art()) out.push_back(compile(art));
    return out;
  }();
  return all;
}

std::string known_layouts() {
  std::string s;
  for (const auto& l : layouts()) s += (s.empty() ? "" : ", ") + l.name;
  return s;
}

const Layout& find_layout(const std::string& name) {
  std::string bare = name;
  if (bare.rfind(kPrefix, 0) == 0) bare = bare.substr(std::string(kPrefix).size());
  for (const auto& l : layouts()) {
    if (l.name == bare) return l;
  }
  throw Error("unknown gridworld layout '" + name + "'; known layouts: " + known_layouts());
}

// ---------------------------------------------------------------------------
// Dynamics
// ---------------------------------------------------------------------------
inline int axis_move(float a) { return a < -kMoveThreshold ? -1 : (a > kMoveThreshold ? 1 : 0); }

// (pos - 12) / 12, as the authors compute it: exact integers divided once, so
// mirrored cells get exactly opposite observations (x / 12 - 1 rounds
// differently for y = 11 and y = 13).
inline void write_obs(int cell, float* obs) {
  obs[0] = static_cast<float>(cell % kN - 12) / 12.0f;
  obs[1] = static_cast<float>(cell / kN - 12) / 12.0f;
}

// The cell a move from `cell` lands on. As in the authors' env, the target is
// clamped to the grid per axis (so a diagonal move along an edge slides along
// it, and a straight move off the grid stays), then a wall target means the
// agent stays where it is.
inline int apply_move(const Layout& layout, int cell, int dx, int dy) {
  const int x = std::clamp(cell % kN + dx, 0, kN - 1), y = std::clamp(cell / kN + dy, 0, kN - 1);
  const int target = cell_index(x, y);
  return layout.cell[target] == kWall ? cell : target;
}

class GridWorldEnv : public Env {
 public:
  GridWorldEnv(const Layout* layout, int start_cell) : layout_(layout), start_cell_(start_cell) {}

  void reset(Rng& rng, float* obs) override {
    if (start_cell_ >= 0) {
      cell_ = start_cell_;
    } else {
      const auto& free = layout_->free_cells;
      std::uniform_int_distribution<size_t> pick(0, free.size() - 1);
      cell_ = free[pick(rng)];
    }
    write_obs(cell_, obs);
  }

  StepResult step(const float* action, Rng&, float* obs) override {
    cell_ = apply_move(*layout_, cell_, axis_move(action[0]), axis_move(action[1]));
    write_obs(cell_, obs);
    StepResult r;
    const int outcome = layout_->cell[cell_];
    if (outcome >= 0) {
      r.terminated = true;
      r.outcome = outcome;
      r.reward = outcome == layout_->death_outcome ? kDeathReward : kGoalReward;
    }
    return r;
  }

 private:
  const Layout* layout_;
  int start_cell_;  // -1: random free cell
  int cell_ = 0;
};

// ---------------------------------------------------------------------------
// Scripted controller: greedy descent of the BFS step count to the target
// goal region (or any goal), never through death cells. Straight moves are
// tried first, so in two_walls it goes straight up wherever that is shortest.
// ---------------------------------------------------------------------------
constexpr std::array<std::pair<int, int>, 8> kMoves = {
    {{0, 1}, {0, -1}, {1, 0}, {-1, 0}, {1, 1}, {-1, 1}, {1, -1}, {-1, -1}}};

std::array<int, kCells> distance_to_goal(const Layout& layout, int target) {
  constexpr int kFar = 1 << 20;
  std::array<int, kCells> dist;
  dist.fill(kFar);
  std::deque<int> queue;
  for (int c = 0; c < kCells; ++c) {
    const int v = layout.cell[c];
    const bool is_goal = v >= 0 && v != layout.death_outcome;
    if (is_goal && (target < 0 || v == target)) {
      dist[c] = 0;
      queue.push_back(c);
    }
  }
  // Moves are reversible between non-wall cells, so a BFS from the goals
  // gives every cell's step count to them. Death and other goals end the
  // episode, so paths do not pass through them.
  while (!queue.empty()) {
    const int c = queue.front();
    queue.pop_front();
    for (const auto& m : kMoves) {
      const int n = apply_move(layout, c, m.first, m.second);
      if (n == c || dist[n] != kFar || layout.cell[n] != kFree) continue;
      dist[n] = dist[c] + 1;
      queue.push_back(n);
    }
  }
  return dist;
}

ScriptedController make_scripted(const Layout& layout) {
  const auto dist = distance_to_goal(layout, layout.scripted_target);
  auto policy = std::make_shared<std::array<std::pair<int8_t, int8_t>, kCells>>();
  for (int c = 0; c < kCells; ++c) {
    std::pair<int8_t, int8_t> best{0, 0};
    int best_dist = dist[c];
    for (const auto& m : kMoves) {
      const int n = apply_move(layout, c, m.first, m.second);
      if (dist[n] < best_dist) {
        best_dist = dist[n];
        best = {static_cast<int8_t>(m.first), static_cast<int8_t>(m.second)};
      }
    }
    (*policy)[c] = best;
  }
  return [policy](const float* obs, float* action) {
    const int x = std::clamp(static_cast<int>(std::lround((obs[0] + 1.0f) * 12.0f)), 0, kN - 1);
    const int y = std::clamp(static_cast<int>(std::lround((obs[1] + 1.0f) * 12.0f)), 0, kN - 1);
    const auto move = (*policy)[cell_index(x, y)];
    action[0] = static_cast<float>(move.first);
    action[1] = static_cast<float>(move.second);
  };
}

// ---------------------------------------------------------------------------
// Registration
// ---------------------------------------------------------------------------
std::string cell_str(const std::vector<int>& v) {
  std::string s;
  for (int x : v) s += (s.empty() ? "" : ",") + std::to_string(x);
  return s;
}

// EnvOptions::start_cell -> a cell index, or -1 for random starts.
int parse_start_cell(const Layout& layout, const std::vector<int>& start) {
  if (start.empty()) return -1;
  const std::string env = std::string(kPrefix) + layout.name;
  const std::string allowed = "; allowed: x,y with 0 <= x,y <= " + std::to_string(kN - 1) +
                              " on a free '.' cell (see `fpo envs --map " + env + "`)";
  if (start.size() != 2) {
    throw Error("env '" + env + "': start_cell '" + cell_str(start) + "' has " +
                std::to_string(start.size()) + " values, expected 2 (x,y)" + allowed);
  }
  const int x = start[0], y = start[1];
  if (x < 0 || x >= kN || y < 0 || y >= kN) {
    throw Error("env '" + env + "': start_cell " + cell_str(start) + " is outside the grid" + allowed);
  }
  const int v = layout.cell[cell_index(x, y)];
  if (v != kFree) {
    const char* what = v == kWall ? "a wall" : (v == layout.death_outcome ? "a death cell" : "a goal cell");
    throw Error("env '" + env + "': start_cell " + cell_str(start) + " is " + what + allowed);
  }
  return cell_index(x, y);
}

EnvFactory make_factory(const Layout& layout, const EnvOptions& options) {
  const int start = parse_start_cell(layout, options.start_cell);
  EnvFactory f;
  f.spec.name = std::string(kPrefix) + layout.name;
  f.spec.obs_dim = 2;
  f.spec.act_dim = 2;
  f.spec.control_dt = 0.0;
  f.spec.max_episode_steps = kMaxEpisodeSteps;
  f.spec.reward_summary = layout.death_outcome >= 0
                              ? "+20 on reaching a goal cell, -10 on a death cell (both end the episode), 0 otherwise"
                              : "+20 on reaching a goal cell (ends the episode), 0 otherwise";
  f.spec.outcome_names = layout.outcome_names;
  const Layout* ptr = &layout;
  f.make = [ptr, start] { return std::make_unique<GridWorldEnv>(ptr, start); };
  f.scripted = make_scripted(layout);
  f.accepts_start_cell = true;
  return f;
}

}  // namespace

const std::vector<std::string>& gridworld_layout_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& l : layouts()) out.push_back(l.name);
    return out;
  }();
  return names;
}

std::string gridworld_ascii_map(const std::string& layout_name) { return find_layout(layout_name).ascii; }

void register_gridworld_envs(EnvRegistry& registry) {
  for (const auto& layout : layouts()) {
    const Layout* ptr = &layout;
    registry.add(std::string(kPrefix) + layout.name,
                 [ptr](const EnvOptions& options) { return make_factory(*ptr, options); });
  }
}

}  // namespace fpo
