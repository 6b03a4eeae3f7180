// GridWorld: every layout cell by cell against the FPO paper's rules (built
// here from the rules, not from the implementation's maps), hand-checked
// dynamics, rewards, the step limit, starts and the scripted controller.
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

// ---------------------------------------------------------------------------
// The expected maps, from the rules of akanazawa/fpo gridworld/utils/gridworld.py
// (x right, y up): '#' wall, 'G' goal, 'X' death, '.' free; [y][x].
// ---------------------------------------------------------------------------
using Grid = std::vector<std::string>;
Grid empty_grid() { return Grid(N, std::string(N, '.')); }
void fill(Grid& g, int x0, int x1, int y0, int y1, char c) {  // inclusive ranges
  for (int y = y0; y <= y1; ++y)
    for (int x = x0; x <= x1; ++x) g[y][x] = c;
}

Grid expected_grid(const std::string& layout) {
  Grid g = empty_grid();
  if (layout == "two_walls") {  // goal bands: rows 0, 1, 23, 24
    fill(g, 0, 24, 0, 1, 'G');
    fill(g, 0, 24, 23, 24, 'G');
  } else if (layout == "three_goals") {  // death: the centre 3x3; three 3x3 goal blocks
    fill(g, 11, 13, 11, 13, 'X');
    for (auto [cx, cy] : std::vector<std::pair<int, int>>{{12, 18}, {7, 7}, {17, 7}}) fill(g, cx - 1, cx + 1, cy - 1, cy + 1, 'G');
  } else if (layout == "tree_in_the_middle") {
    fill(g, 13, 17, 10, 14, 'X');
    fill(g, 23, 24, 10, 14, 'G');
  } else if (layout == "two_slits") {  // wall column x = 15 but for y 4..7 and 17..20; goal column x = 24
    for (int y = 0; y < N; ++y) {
      if (!((y >= 4 && y <= 7) || (y >= 17 && y <= 20))) g[y][15] = '#';
    }
    fill(g, 24, 24, 0, 24, 'G');
  } else if (layout == "cshape") {
    fill(g, 7, 17, 7, 7, '#');
    fill(g, 7, 17, 17, 17, '#');
    fill(g, 17, 17, 7, 17, '#');
    fill(g, 10, 14, 10, 14, 'G');
  } else if (layout == "two_walls_gaps") {  // ours: walls at y = 8 and 16 with gaps x 10..14
    fill(g, 0, 24, 0, 0, 'G');
    fill(g, 0, 24, 24, 24, 'G');
    for (int y : {8, 16}) {
      fill(g, 0, 9, y, y, '#');
      fill(g, 15, 24, y, y, '#');
    }
  } else {
    ADD_FAILURE() << "no expected grid for " << layout;
  }
  return g;
}

const std::vector<std::string> kPaperLayouts = {"two_walls", "three_goals", "tree_in_the_middle", "two_slits",
                                                "cshape"};

TEST(GridWorld, RegistersEveryLayoutWithItsSpec) {
  std::vector<std::string> expected_names = kPaperLayouts;
  expected_names.push_back("two_walls_gaps");
  ASSERT_EQ(gridworld_layout_names(), expected_names);
  for (const auto& name : gridworld_layout_names()) {
    const EnvFactory f = make(name);
    EXPECT_EQ(f.spec.name, "gridworld:" + name);
    EXPECT_EQ(f.spec.obs_dim, 2);
    EXPECT_EQ(f.spec.act_dim, 2);
    EXPECT_EQ(f.spec.control_dt, 0.0);
    EXPECT_EQ(f.spec.max_episode_steps, 100);
    EXPECT_NE(f.spec.reward_summary.find("+20"), std::string::npos) << name;
    EXPECT_TRUE(static_cast<bool>(f.scripted)) << name;
  }
  using Names = std::vector<std::string>;
  EXPECT_EQ(make("two_walls").spec.outcome_names, (Names{"top", "bottom"}));
  EXPECT_EQ(make("three_goals").spec.outcome_names, (Names{"top", "bottom_left", "bottom_right", "death"}));
  EXPECT_EQ(make("tree_in_the_middle").spec.outcome_names, (Names{"right", "death"}));
  EXPECT_EQ(make("two_slits").spec.outcome_names, (Names{"right"}));
  EXPECT_EQ(make("cshape").spec.outcome_names, (Names{"centre"}));
  EXPECT_EQ(make("two_walls_gaps").spec.outcome_names, (Names{"top", "bottom"}));
}

TEST(GridWorld, EveryLayoutMatchesItsRulesCellByCell) {
  for (const auto& name : gridworld_layout_names()) {
    const Grid want = expected_grid(name);
    const Grid got = grid_of(name);
    ASSERT_EQ(got.size(), want.size()) << name;
    int wrong = 0;
    for (int y = 0; y < N; ++y) {
      ASSERT_EQ(got[y].size(), want[y].size()) << name << " y=" << y;
      for (int x = 0; x < N; ++x) {
        if (got[y][x] != want[y][x] && ++wrong <= 5) {
          ADD_FAILURE() << name << " (" << x << "," << y << "): map '" << got[y][x] << "', rules '" << want[y][x] << "'";
        }
      }
    }
    EXPECT_EQ(wrong, 0) << name;
  }
}

// Every goal cell next to a free cell ends the episode with +20 when entered,
// every such death cell with -10 and the outcome "death", cell by cell.
TEST(GridWorld, EveryGoalAndDeathCellRewardsAndEnds) {
  for (const auto& name : gridworld_layout_names()) {
    const Grid g = expected_grid(name);
    const auto& labels = make(name).spec.outcome_names;
    int checked = 0;
    for (int y = 0; y < N; ++y) {
      for (int x = 0; x < N; ++x) {
        if (g[y][x] != 'G' && g[y][x] != 'X') continue;
        bool entered = false;
        for (int dx = -1; dx <= 1 && !entered; ++dx) {
          for (int dy = -1; dy <= 1 && !entered; ++dy) {
            const int sx = x - dx, sy = y - dy;
            if (sx < 0 || sx >= N || sy < 0 || sy >= N || g[sy][sx] != '.') continue;
            Probe p(name, sx, sy);
            const StepResult r = p.step(static_cast<float>(dx), static_cast<float>(dy));
            EXPECT_EQ(p.cell(), std::make_pair(x, y)) << name;
            EXPECT_TRUE(r.terminated) << name << " " << x << "," << y;
            ASSERT_GE(r.outcome, 0) << name << " " << x << "," << y;
            EXPECT_EQ(labels.at(r.outcome) == "death", g[y][x] == 'X') << name << " " << x << "," << y;
            EXPECT_EQ(r.reward, g[y][x] == 'X' ? -10.0f : 20.0f) << name << " " << x << "," << y;
            entered = true;
          }
        }
        checked += entered;
      }
    }
    EXPECT_GT(checked, 0) << name;
  }
  // Which region is which.
  auto outcome_from = [](const std::string& layout, int x, int y, float ax, float ay) {
    Probe p(layout, x, y);
    const StepResult r = p.step(ax, ay);
    return r.outcome >= 0 ? p.factory.spec.outcome_names.at(r.outcome) : std::string("none");
  };
  EXPECT_EQ(outcome_from("two_walls", 5, 22, 0, 1), "top");
  EXPECT_EQ(outcome_from("two_walls", 20, 2, -1, -1), "bottom");
  EXPECT_EQ(outcome_from("three_goals", 12, 16, 0, 1), "top");
  EXPECT_EQ(outcome_from("three_goals", 7, 9, 0, -1), "bottom_left");
  EXPECT_EQ(outcome_from("three_goals", 17, 9, 0, -1), "bottom_right");
  EXPECT_EQ(outcome_from("three_goals", 12, 10, 0, 1), "death");
  EXPECT_EQ(outcome_from("tree_in_the_middle", 22, 12, 1, 0), "right");
  EXPECT_EQ(outcome_from("tree_in_the_middle", 12, 12, 1, 0), "death");
  EXPECT_EQ(outcome_from("two_slits", 23, 3, 1, 0), "right");
  EXPECT_EQ(outcome_from("cshape", 9, 12, 1, 0), "centre");
}

TEST(GridWorld, ObservationIsNormalisedPosition) {
  // (pos - 12) / 12.
  const std::vector<std::array<int, 2>> cells = {{0, 2}, {24, 2}, {12, 12}, {0, 22}, {24, 22}, {6, 18}};
  for (const auto& c : cells) {
    Probe p("two_walls", c[0], c[1]);
    EXPECT_FLOAT_EQ(p.obs[0], (c[0] - 12) / 12.0f) << c[0] << "," << c[1];
    EXPECT_FLOAT_EQ(p.obs[1], (c[1] - 12) / 12.0f) << c[0] << "," << c[1];
  }
  Probe bottom_left("two_slits", 0, 0), top_right("cshape", 24, 24);
  EXPECT_FLOAT_EQ(bottom_left.obs[0], -1.0f);
  EXPECT_FLOAT_EQ(bottom_left.obs[1], -1.0f);
  EXPECT_FLOAT_EQ(top_right.obs[0], 1.0f);
  EXPECT_FLOAT_EQ(top_right.obs[1], 1.0f);
  Probe centre("cshape", 15, 15);
  EXPECT_FLOAT_EQ(centre.obs[0], 0.25f);
}

TEST(GridWorld, ActionsAreClippedAndRoundedPerAxis) {
  struct Case {
    float a;
    int move;
  };
  // round(clip(a)): |a| > 0.5 moves; exactly +-0.5 rounds to 0 (half to even).
  const std::vector<Case> cases = {{-5.0f, -1}, {-1.0f, -1}, {-0.51f, -1}, {-0.5f, 0}, {-0.49f, 0}, {0.0f, 0},
                                   {0.49f, 0},  {0.5f, 0},   {0.51f, 1},   {1.0f, 1},  {5.0f, 1}};
  for (const auto& c : cases) {
    Probe px("two_walls", 12, 12);
    px.step(c.a, 0.0f);
    EXPECT_EQ(px.cell(), std::make_pair(12 + c.move, 12)) << "x axis, a=" << c.a;
    Probe py("two_walls", 12, 12);
    py.step(0.0f, c.a);
    EXPECT_EQ(py.cell(), std::make_pair(12, 12 + c.move)) << "y axis, a=" << c.a;
  }
  Probe diag("two_walls", 12, 12);
  diag.step(0.9f, -0.6f);
  EXPECT_EQ(diag.cell(), std::make_pair(13, 11));
  const StepResult r = diag.step(0.3f, -0.3f);
  EXPECT_EQ(diag.cell(), std::make_pair(13, 11));
  EXPECT_EQ(r.reward, 0.0f);
  EXPECT_FALSE(r.terminated);
  EXPECT_EQ(r.outcome, -1);
}

TEST(GridWorld, WallsAndGridEdgeBlockMoves) {
  // two_slits: the wall column x = 15 (openings y 4..7 and 17..20).
  Probe p("two_slits", 14, 10);
  p.step(1.0f, 0.0f);
  EXPECT_EQ(p.cell(), std::make_pair(14, 10));
  p.step(1.0f, 1.0f);  // diagonal into the wall: no partial slide
  EXPECT_EQ(p.cell(), std::make_pair(14, 10));
  p.step(0.0f, 1.0f);  // along the wall is free
  EXPECT_EQ(p.cell(), std::make_pair(14, 11));
  Probe slit("two_slits", 14, 5);  // through an opening
  slit.step(1.0f, 0.0f);
  EXPECT_EQ(slit.cell(), std::make_pair(15, 5));
  Probe slit_edge("two_slits", 14, 8);  // diagonally into the opening's last cell
  slit_edge.step(1.0f, -1.0f);
  EXPECT_EQ(slit_edge.cell(), std::make_pair(15, 7));
  // cshape: the C's back (x = 17) and its bottom bar (y = 7).
  Probe back("cshape", 16, 12);
  back.step(1.0f, 0.0f);
  EXPECT_EQ(back.cell(), std::make_pair(16, 12));
  Probe bar("cshape", 12, 6);
  bar.step(0.0f, 1.0f);
  EXPECT_EQ(bar.cell(), std::make_pair(12, 6));
  // two_walls_gaps: the wall at y = 16, and its gap (x 10..14).
  Probe wall("two_walls_gaps", 3, 15);
  wall.step(0.0f, 1.0f);
  EXPECT_EQ(wall.cell(), std::make_pair(3, 15));
  Probe gap("two_walls_gaps", 12, 15);
  gap.step(0.0f, 1.0f);
  EXPECT_EQ(gap.cell(), std::make_pair(12, 16));
  // The grid's edge: a straight move off it stays; as in the authors' env
  // (np.clip of the target per axis) a diagonal move slides along the edge.
  Probe e("two_walls", 0, 12);
  e.step(-1.0f, 0.0f);
  EXPECT_EQ(e.cell(), std::make_pair(0, 12));
  e.step(-1.0f, 1.0f);
  EXPECT_EQ(e.cell(), std::make_pair(0, 13));
  Probe corner("two_slits", 0, 0);
  corner.step(-1.0f, -1.0f);
  EXPECT_EQ(corner.cell(), std::make_pair(0, 0));
  corner.step(1.0f, -1.0f);
  EXPECT_EQ(corner.cell(), std::make_pair(1, 0));
  Probe top_edge("cshape", 5, 24);
  top_edge.step(0.0f, 1.0f);
  EXPECT_EQ(top_edge.cell(), std::make_pair(5, 24));
  // A slide that ends in a wall stays: two_slits (14, 24) moving (+1, +1)
  // clamps to (15, 24), a wall.
  Probe slide("two_slits", 14, 24);
  slide.step(1.0f, 1.0f);
  EXPECT_EQ(slide.cell(), std::make_pair(14, 24));
}

// two_walls is mirror-symmetric in y (and two_walls_gaps too): every move from
// every free cell lands on the mirror image of where the mirrored move from
// the mirrored cell lands, with the same reward, so any preference a policy
// learns for one band comes from the learner, not from the env.
TEST(GridWorld, TwoWallsIsMirrorSymmetricTopToBottom) {
  for (const std::string layout : {"two_walls", "two_walls_gaps"}) {
    const Grid g = expected_grid(layout);
    for (int y = 0; y < N; ++y) {
      for (int x = 0; x < N; ++x) {
        if (g[y][x] != '.') continue;
        for (float ax : {-1.0f, 0.0f, 1.0f}) {
          for (float ay : {-1.0f, 0.0f, 1.0f}) {
            Probe up(layout, x, y), down(layout, x, N - 1 - y);
            const StepResult a = up.step(ax, ay), b = down.step(ax, -ay);
            EXPECT_EQ(up.cell().first, down.cell().first) << layout << " " << x << "," << y;
            EXPECT_EQ(up.cell().second, N - 1 - down.cell().second) << layout << " " << x << "," << y;
            EXPECT_EQ(a.reward, b.reward) << layout << " " << x << "," << y;
            EXPECT_EQ(a.terminated, b.terminated) << layout << " " << x << "," << y;
            EXPECT_FLOAT_EQ(up.obs[1], -down.obs[1]);
          }
        }
      }
    }
  }
}

TEST(GridWorld, StepLimitTruncatesAt100ThroughVecEnv) {
  const EnvFactory f = make("two_walls", {12, 12});
  VecEnv venv(f, 3, 1, 11);
  const std::vector<float> stay(3 * 2, 0.0f);
  for (int t = 1; t < 100; ++t) {
    venv.step(stay.data());
    for (int i = 0; i < 3; ++i) ASSERT_FALSE(venv.done(i)) << "step " << t;
  }
  venv.step(stay.data());
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(venv.terminated()[i]);
    EXPECT_TRUE(venv.truncated()[i]);
    EXPECT_EQ(venv.episode_lengths()[i], 100);
    EXPECT_EQ(venv.episode_returns()[i], 0.0f);
    EXPECT_EQ(venv.episode_outcomes()[i], -1);
  }
}

TEST(GridWorld, FixedStartCellIsUsedEveryEpisode) {
  Probe p("cshape", 20, 12);
  for (int episode = 0; episode < 5; ++episode) {
    p.env->reset(p.rng, p.obs);
    EXPECT_EQ(p.cell(), std::make_pair(20, 12));
  }
}

// Starts are uniform over the cells that are neither goal, death nor wall
// (the authors' code can also start inside a wall; ours cannot).
TEST(GridWorld, RandomStartsCoverFreeCellsOnly) {
  for (const auto& name : gridworld_layout_names()) {
    const Grid g = expected_grid(name);
    const EnvFactory f = make(name);
    auto env = f.make();
    Rng rng(3);
    float obs[2];
    std::vector<std::vector<int>> seen(N, std::vector<int>(N, 0));
    int distinct = 0;
    const int draws = 40000;
    for (int i = 0; i < draws; ++i) {
      env->reset(rng, obs);
      auto [x, y] = cell_of(obs);
      ASSERT_EQ(g[y][x], '.') << name << ": start on " << x << "," << y;
      distinct += seen[y][x]++ == 0;
    }
    int free = 0, most = 0, least = draws;
    for (int y = 0; y < N; ++y) {
      for (int x = 0; x < N; ++x) {
        if (g[y][x] != '.') continue;
        ++free;
        most = std::max(most, seen[y][x]);
        least = std::min(least, seen[y][x]);
      }
    }
    EXPECT_EQ(distinct, free) << name;
    // Uniform: >= 64 draws expected per cell; a cell drawn 3x as often as
    // another would be far outside the binomial spread.
    EXPECT_LT(most, 3 * least) << name << " most " << most << " least " << least;
  }
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
  expect_bad_start("two_slits", {15, 10}, "15,10", "wall");
  expect_bad_start("two_walls", {7, 23}, "7,23", "goal");
  expect_bad_start("three_goals", {12, 12}, "12,12", "death");
  EXPECT_NO_THROW(make("two_slits", {15, 5}));  // an opening in the wall is free
  EXPECT_NO_THROW(make("two_walls", {12, 2}));
}

TEST(GridWorld, TwoWallsCentreIsEquidistantFromTopAndBottom) {
  // The paper's two_walls: 11 steps to either band; ours (with gaps): 12.
  for (const auto& [name, steps] : std::vector<std::pair<std::string, int>>{{"two_walls", 11}, {"two_walls_gaps", 12}}) {
    const auto g = grid_of(name);
    const auto d = bfs(g, 12, 12);
    int top = 1 << 30, bottom = 1 << 30;
    for (int y = 0; y < N; ++y) {
      for (int x = 0; x < N; ++x) {
        if (g[y][x] != 'G' || d[y][x] < 0) continue;
        (y > 12 ? top : bottom) = std::min(y > 12 ? top : bottom, d[y][x]);
      }
    }
    EXPECT_EQ(top, steps) << name;
    EXPECT_EQ(bottom, steps) << name;
  }
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
    EXPECT_NE(msg.find("cshape"), std::string::npos) << msg;
    EXPECT_NE(msg.find("two_walls_gaps"), std::string::npos) << msg;
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
  // From the centre it goes straight up: 11 steps to the band at y = 23.
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
  } while (!r.terminated && steps < 100);
  EXPECT_EQ(steps, 11);
  EXPECT_EQ(r.reward, 20.0f);
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
