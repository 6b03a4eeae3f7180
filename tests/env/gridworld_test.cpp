// GridWorld: hand-checked dynamics, rewards, layouts and the scripted controller.
#include "fpo/env/gridworld.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <deque>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "fpo/common/error.h"
#include "fpo/env/registry.h"
#include "fpo/env/vec_env.h"

namespace fpo {
namespace {

constexpr int N = kGridWorldSize;

EnvFactory make(const std::string& layout, std::vector<int> start = {}) {
  EnvOptions options;
  options.start_cell = std::move(start);
  return EnvRegistry::global().make("gridworld:" + layout, options);
}

// The map as rows indexed [y][x] with y = 0 the bottom row.
std::vector<std::string> grid_of(const std::string& layout) {
  std::istringstream in(gridworld_ascii_map(layout));
  std::vector<std::string> top_first;
  for (std::string line; std::getline(in, line);) top_first.push_back(line);
  return std::vector<std::string>(top_first.rbegin(), top_first.rend());
}

// Cell (x, y) from an observation; checks the obs lies on the grid lattice.
std::pair<int, int> cell_of(const float* obs) {
  const float fx = (obs[0] + 1.0f) * 12.0f, fy = (obs[1] + 1.0f) * 12.0f;
  const int x = static_cast<int>(std::lround(fx)), y = static_cast<int>(std::lround(fy));
  EXPECT_NEAR(fx, x, 1e-4);
  EXPECT_NEAR(fy, y, 1e-4);
  return {x, y};
}

// An env started at (x, y), stepped by hand.
struct Probe {
  Probe(const std::string& layout, int x, int y)
      : factory(make(layout, {x, y})), env(factory.make()), rng(7) {
    env->reset(rng, obs);
  }
  StepResult step(float a0, float a1) {
    const float a[2] = {a0, a1};
    return env->step(a, rng, obs);
  }
  std::pair<int, int> cell() const { return cell_of(obs); }

  EnvFactory factory;
  std::unique_ptr<Env> env;
  Rng rng;
  float obs[2] = {0, 0};
};

// BFS step counts from `from` to every cell, 8-neighbour moves into non-wall
// cells, not passing through goal/death cells (they end the episode).
std::vector<std::vector<int>> bfs(const std::vector<std::string>& g, int fx, int fy) {
  std::vector<std::vector<int>> d(N, std::vector<int>(N, -1));
  std::deque<std::pair<int, int>> q;
  d[fy][fx] = 0;
  q.push_back({fx, fy});
  while (!q.empty()) {
    auto [x, y] = q.front();
    q.pop_front();
    if (g[y][x] == 'G' || g[y][x] == 'X') continue;  // terminal: no moves out
    for (int dx = -1; dx <= 1; ++dx) {
      for (int dy = -1; dy <= 1; ++dy) {
        const int nx = x + dx, ny = y + dy;
        if (nx < 0 || nx >= N || ny < 0 || ny >= N || g[ny][nx] == '#' || d[ny][nx] >= 0) continue;
        d[ny][nx] = d[y][x] + 1;
        q.push_back({nx, ny});
      }
    }
  }
  return d;
}

TEST(GridWorld, RegistersEveryLayoutWithItsSpec) {
  ASSERT_EQ(gridworld_layout_names().size(), 5u);
  for (const auto& name : gridworld_layout_names()) {
    const EnvFactory f = make(name);
    EXPECT_EQ(f.spec.name, "gridworld:" + name);
    EXPECT_EQ(f.spec.obs_dim, 2);
    EXPECT_EQ(f.spec.act_dim, 2);
    EXPECT_EQ(f.spec.control_dt, 0.0);
    EXPECT_EQ(f.spec.max_episode_steps, 64);
    EXPECT_FALSE(f.spec.reward_summary.empty());
    EXPECT_FALSE(f.spec.outcome_names.empty());
    EXPECT_TRUE(static_cast<bool>(f.scripted)) << name;
  }
  EXPECT_EQ(make("two_walls").spec.outcome_names, (std::vector<std::string>{"top", "bottom"}));
  EXPECT_EQ(make("three_goals").spec.outcome_names, (std::vector<std::string>{"left", "right", "top"}));
}

TEST(GridWorld, ObservationIsNormalisedPosition) {
  const std::vector<std::array<int, 2>> cells = {{0, 1}, {24, 1}, {12, 12}, {0, 23}, {24, 23}, {6, 18}};
  const std::vector<std::array<float, 2>> expected = {
      {-1.0f, -1.0f + 2.0f / 24}, {1.0f, -1.0f + 2.0f / 24}, {0.0f, 0.0f},
      {-1.0f, 1.0f - 2.0f / 24},  {1.0f, 1.0f - 2.0f / 24},  {-0.5f, 0.5f}};
  for (size_t i = 0; i < cells.size(); ++i) {
    Probe p("two_walls", cells[i][0], cells[i][1]);
    EXPECT_FLOAT_EQ(p.obs[0], expected[i][0]) << i;
    EXPECT_FLOAT_EQ(p.obs[1], expected[i][1]) << i;
  }
  // The true corners hold no free cell in two_walls (goal rows); use three_goals.
  Probe bottom_left("three_goals", 0, 0), top_right("three_goals", 24, 23);
  EXPECT_FLOAT_EQ(bottom_left.obs[0], -1.0f);
  EXPECT_FLOAT_EQ(bottom_left.obs[1], -1.0f);
  top_right.step(0.0f, 1.0f);  // onto (24, 24), a free corner
  EXPECT_FLOAT_EQ(top_right.obs[0], 1.0f);
  EXPECT_FLOAT_EQ(top_right.obs[1], 1.0f);
}

TEST(GridWorld, ActionThresholdsMapToMoves) {
  struct Case {
    float a;
    int move;
  };
  const std::vector<Case> cases = {{-1.0f, -1}, {-0.34f, -1}, {-0.33f, 0}, {0.0f, 0},
                                   {0.33f, 0},  {0.34f, 1},   {1.0f, 1}};
  for (const auto& c : cases) {
    Probe px("two_walls", 12, 12);
    px.step(c.a, 0.0f);
    EXPECT_EQ(px.cell(), std::make_pair(12 + c.move, 12)) << "x axis, a=" << c.a;
    Probe py("two_walls", 12, 12);
    py.step(0.0f, c.a);
    EXPECT_EQ(py.cell(), std::make_pair(12, 12 + c.move)) << "y axis, a=" << c.a;
  }
  Probe diag("two_walls", 12, 12);
  diag.step(0.9f, -0.9f);
  EXPECT_EQ(diag.cell(), std::make_pair(13, 11));
  const StepResult r = diag.step(0.0f, 0.0f);
  EXPECT_EQ(diag.cell(), std::make_pair(13, 11));
  EXPECT_EQ(r.reward, 0.0f);
  EXPECT_FALSE(r.terminated);
  EXPECT_EQ(r.outcome, -1);
}

TEST(GridWorld, WallsAndGridEdgeBlockMoves) {
  // (3, 15) is just below the upper wall of two_walls (y = 16 at x = 3).
  Probe p("two_walls", 3, 15);
  p.step(0.0f, 1.0f);
  EXPECT_EQ(p.cell(), std::make_pair(3, 15));
  p.step(1.0f, 1.0f);  // diagonal into the wall: no partial slide
  EXPECT_EQ(p.cell(), std::make_pair(3, 15));
  p.step(1.0f, 0.0f);  // sideways is free
  EXPECT_EQ(p.cell(), std::make_pair(4, 15));
  // Left edge.
  Probe e("two_walls", 0, 12);
  e.step(-1.0f, 0.0f);
  EXPECT_EQ(e.cell(), std::make_pair(0, 12));
  e.step(-1.0f, 1.0f);  // off the grid diagonally: stays, no slide up
  EXPECT_EQ(e.cell(), std::make_pair(0, 12));
  // Through the gap (x 10..14) the same move works.
  Probe g("two_walls", 12, 15);
  g.step(0.0f, 1.0f);
  EXPECT_EQ(g.cell(), std::make_pair(12, 16));
}

TEST(GridWorld, GoalTerminatesWithRewardAndOutcome) {
  Probe top("two_walls", 5, 23);
  StepResult r = top.step(0.0f, 1.0f);
  EXPECT_TRUE(r.terminated);
  EXPECT_EQ(r.reward, 1.0f);
  ASSERT_EQ(r.outcome, 0);
  EXPECT_EQ(top.factory.spec.outcome_names[r.outcome], "top");

  Probe bottom("two_walls", 20, 1);
  r = bottom.step(-1.0f, -1.0f);
  EXPECT_TRUE(r.terminated);
  EXPECT_EQ(r.reward, 1.0f);
  ASSERT_EQ(r.outcome, 1);
  EXPECT_EQ(bottom.factory.spec.outcome_names[r.outcome], "bottom");

  Probe right("three_goals", 23, 12);
  r = right.step(1.0f, 0.0f);
  ASSERT_TRUE(r.terminated);
  EXPECT_EQ(right.factory.spec.outcome_names.at(r.outcome), "right");
}

TEST(GridWorld, DeathCellGivesMinusOne) {
  // two_slits: lava at y = 13, x = 9..15, under the wall's middle.
  Probe p("two_slits", 12, 12);
  const StepResult r = p.step(0.0f, 1.0f);
  EXPECT_TRUE(r.terminated);
  EXPECT_EQ(r.reward, -1.0f);
  ASSERT_GE(r.outcome, 0);
  EXPECT_EQ(p.factory.spec.outcome_names.at(r.outcome), "death");
  EXPECT_EQ(grid_of("two_slits")[13][12], 'X');
}

TEST(GridWorld, StepLimitTruncatesThroughVecEnv) {
  const EnvFactory f = make("two_walls", {12, 12});
  VecEnv venv(f, 3, 1, 11);
  const std::vector<float> stay(3 * 2, 0.0f);
  for (int t = 1; t < 64; ++t) {
    venv.step(stay.data());
    for (int i = 0; i < 3; ++i) ASSERT_FALSE(venv.done(i)) << "step " << t;
  }
  venv.step(stay.data());
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(venv.terminated()[i]);
    EXPECT_TRUE(venv.truncated()[i]);
    EXPECT_EQ(venv.episode_lengths()[i], 64);
    EXPECT_EQ(venv.episode_returns()[i], 0.0f);
    EXPECT_EQ(venv.episode_outcomes()[i], -1);
  }
}

TEST(GridWorld, FixedStartCellIsUsedEveryEpisode) {
  Probe p("c_shape", 10, 12);
  for (int episode = 0; episode < 5; ++episode) {
    p.env->reset(p.rng, p.obs);
    EXPECT_EQ(p.cell(), std::make_pair(10, 12));
  }
}

TEST(GridWorld, RandomStartsCoverFreeCellsOnly) {
  const auto g = grid_of("two_slits");
  const EnvFactory f = make("two_slits");
  auto env = f.make();
  Rng rng(3);
  float obs[2];
  std::vector<std::vector<int>> seen(N, std::vector<int>(N, 0));
  int distinct = 0;
  for (int i = 0; i < 20000; ++i) {
    env->reset(rng, obs);
    auto [x, y] = cell_of(obs);
    ASSERT_EQ(g[y][x], '.') << x << "," << y;
    distinct += seen[y][x]++ == 0;
  }
  int free = 0;
  for (const auto& row : g) free += static_cast<int>(std::count(row.begin(), row.end(), '.'));
  EXPECT_EQ(distinct, free);  // ~40 draws per cell: every free cell shows up
}

void expect_bad_start(const std::string& layout, std::vector<int> start, const std::string& value,
                      const std::string& reason) {
  try {
    make(layout, start);
    ADD_FAILURE() << "no error for start_cell " << value;
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(value), std::string::npos) << msg;
    EXPECT_NE(msg.find(reason), std::string::npos) << msg;
    EXPECT_NE(msg.find("gridworld:" + layout), std::string::npos) << msg;
    EXPECT_NE(msg.find("allowed"), std::string::npos) << msg;
  }
}

TEST(GridWorld, BadStartCellsThrow) {
  expect_bad_start("two_walls", {3}, "3", "expected 2");
  expect_bad_start("two_walls", {1, 2, 3}, "1,2,3", "expected 2");
  expect_bad_start("two_walls", {25, 3}, "25,3", "outside the grid");
  expect_bad_start("two_walls", {4, -1}, "4,-1", "outside the grid");
  expect_bad_start("two_walls", {3, 16}, "3,16", "wall");
  expect_bad_start("two_walls", {7, 24}, "7,24", "goal");
  expect_bad_start("two_slits", {12, 13}, "12,13", "death");
  EXPECT_NO_THROW(make("two_walls", {12, 16}));  // the gap in the wall is free
}

TEST(GridWorld, TwoWallsCentreIsEquidistantFromTopAndBottom) {
  const auto g = grid_of("two_walls");
  const auto d = bfs(g, 12, 12);
  int top = 1 << 30, bottom = 1 << 30;
  for (int x = 0; x < N; ++x) {
    if (d[24][x] >= 0) top = std::min(top, d[24][x]);
    if (d[0][x] >= 0) bottom = std::min(bottom, d[0][x]);
  }
  EXPECT_EQ(top, 12);
  EXPECT_EQ(top, bottom);
}

TEST(GridWorld, EveryLayoutIsWellFormedAndSolvable) {
  for (const auto& name : gridworld_layout_names()) {
    const std::string ascii = gridworld_ascii_map(name);
    EXPECT_EQ(ascii, gridworld_ascii_map("gridworld:" + name));
    const auto g = grid_of(name);
    ASSERT_EQ(static_cast<int>(g.size()), N) << name;
    bool has_death = false;
    for (const auto& row : g) {
      ASSERT_EQ(static_cast<int>(row.size()), N) << name;
      EXPECT_EQ(row.find_first_not_of("#GX."), std::string::npos) << name << ": " << row;
      has_death = has_death || row.find('X') != std::string::npos;
    }
    const auto& labels = make(name).spec.outcome_names;
    EXPECT_EQ(has_death, std::find(labels.begin(), labels.end(), "death") != labels.end()) << name;
    // No diagonal-only wall gaps: moves check just the target cell.
    for (int y = 0; y + 1 < N; ++y) {
      for (int x = 0; x + 1 < N; ++x) {
        const bool a = g[y][x] == '#', b = g[y][x + 1] == '#', c = g[y + 1][x] == '#', d = g[y + 1][x + 1] == '#';
        EXPECT_FALSE((a && d && !b && !c) || (b && c && !a && !d)) << name << " at " << x << "," << y;
      }
    }
    // Every free cell reaches a goal.
    int free = 0;
    for (int y = 0; y < N; ++y) {
      for (int x = 0; x < N; ++x) {
        if (g[y][x] != '.') continue;
        ++free;
        const auto d = bfs(g, x, y);
        bool reaches = false;
        for (int yy = 0; yy < N && !reaches; ++yy)
          for (int xx = 0; xx < N && !reaches; ++xx) reaches = g[yy][xx] == 'G' && d[yy][xx] > 0;
        EXPECT_TRUE(reaches) << name << ": no goal from " << x << "," << y;
      }
    }
    EXPECT_GT(free, N * N / 2) << name;
  }
}

TEST(GridWorld, UnknownLayoutNamesTheKnownOnes) {
  try {
    gridworld_ascii_map("four_walls");
    FAIL() << "no error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("four_walls"), std::string::npos) << msg;
    EXPECT_NE(msg.find("c_shape"), std::string::npos) << msg;
  }
}

// Runs the scripted controller for `episodes` finished episodes; returns the
// count per outcome (index outcome_names.size() = no outcome).
std::vector<int> run_scripted(const std::string& layout, int episodes, std::vector<int> start = {}) {
  const EnvFactory f = make(layout, std::move(start));
  const int n = 64;
  VecEnv venv(f, n, 2, 5);
  std::vector<int> counts(f.spec.outcome_names.size() + 1, 0);
  std::vector<float> actions(n * 2);
  int finished = 0;
  while (finished < episodes) {
    for (int i = 0; i < n; ++i) f.scripted(venv.obs() + 2 * i, actions.data() + 2 * i);
    venv.step(actions.data());
    for (int i = 0; i < n && finished < episodes; ++i) {
      if (!venv.done(i)) continue;
      const int o = venv.episode_outcomes()[i];
      ++counts[o >= 0 ? o : f.spec.outcome_names.size()];
      ++finished;
    }
  }
  return counts;
}

TEST(GridWorld, ScriptedControllerReachesTopGoalsInTwoWalls) {
  const auto counts = run_scripted("two_walls", 256);
  EXPECT_GE(counts[0], 256 * 9 / 10) << "top " << counts[0] << " bottom " << counts[1] << " none " << counts[2];
  // From the centre it goes straight up: 12 steps.
  const EnvFactory f = make("two_walls", {12, 12});
  auto env = f.make();
  Rng rng(1);
  float obs[2], a[2];
  env->reset(rng, obs);
  int steps = 0;
  StepResult r;
  do {
    f.scripted(obs, a);
    EXPECT_EQ(a[0], 0.0f);
    EXPECT_EQ(a[1], 1.0f);
    r = env->step(a, rng, obs);
    ++steps;
  } while (!r.terminated && steps < 64);
  EXPECT_EQ(steps, 12);
  EXPECT_EQ(r.outcome, 0);
}

TEST(GridWorld, ScriptedControllersSolveEveryLayout) {
  for (const auto& name : gridworld_layout_names()) {
    const auto counts = run_scripted(name, 256);
    const auto& labels = make(name).spec.outcome_names;
    int goals = 0;
    for (size_t o = 0; o < labels.size(); ++o) goals += labels[o] == "death" ? 0 : counts[o];
    EXPECT_EQ(goals, 256) << name;
  }
}

}  // namespace
}  // namespace fpo
