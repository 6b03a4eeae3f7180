#include "fpo/render/gridworld_frame.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <sstream>

#include "fpo/common/error.h"

namespace fpo::render {
namespace {

using Rgb = std::array<uint8_t, 3>;

Rgb cell_colour(char c) {
  switch (c) {
    case '#': return {70, 70, 80};
    case 'G': return {90, 185, 100};
    case 'X': return {215, 80, 70};
    default: return {245, 245, 240};
  }
}

// Distinct, saturated hues for the paths (golden-angle steps around the wheel).
Rgb path_colour(size_t episode) {
  const double h = std::fmod(episode * 137.508, 360.0) / 60.0;
  const double x = 1.0 - std::fabs(std::fmod(h, 2.0) - 1.0);
  double r = 0, g = 0, b = 0;
  if (h < 1) r = 1, g = x; else if (h < 2) r = x, g = 1; else if (h < 3) g = 1, b = x;
  else if (h < 4) g = x, b = 1; else if (h < 5) r = x, b = 1; else r = 1, b = x;
  auto c = [](double v) { return static_cast<uint8_t>(30 + 180 * v); };
  return {c(r), c(g), c(b)};
}

void fill(Frame& f, int x0, int y0, int x1, int y1, Rgb c) {
  for (int y = std::max(0, y0); y < std::min(f.height, y1); ++y) {
    for (int x = std::max(0, x0); x < std::min(f.width, x1); ++x) std::copy(c.begin(), c.end(), f.pixel(x, y));
  }
}

}  // namespace

Frame draw_gridworld(const std::string& ascii_map, const std::vector<std::vector<GridCell>>& paths, size_t up_to,
                     int cell_pixels) {
  std::vector<std::string> rows;
  std::istringstream lines(ascii_map);
  for (std::string line; std::getline(lines, line);) rows.push_back(line);
  if (rows.empty() || rows[0].empty()) throw Error("draw_gridworld: empty map");
  const int n_rows = static_cast<int>(rows.size()), n_cols = static_cast<int>(rows[0].size());
  const int px = cell_pixels;
  Frame frame(n_cols * px, n_rows * px);
  for (int r = 0; r < n_rows; ++r) {
    for (int x = 0; x < n_cols && x < static_cast<int>(rows[r].size()); ++x) {
      fill(frame, x * px + 1, r * px + 1, (x + 1) * px, (r + 1) * px, cell_colour(rows[r][x]));
    }
  }
  // Cell (x, y) has its centre at pixel column (x + 0.5) px and row (n_rows - 1 - y + 0.5) px.
  const int line = std::max(2, px / 5);
  for (size_t e = 0; e < paths.size(); ++e) {
    const auto& path = paths[e];
    if (path.empty()) continue;
    const Rgb colour = path_colour(e);
    const size_t last = std::min(up_to, path.size() - 1);
    for (size_t i = 0; i < last; ++i) {
      const double ax = (path[i].x + 0.5) * px, ay = (n_rows - 0.5 - path[i].y) * px;
      const double bx = (path[i + 1].x + 0.5) * px, by = (n_rows - 0.5 - path[i + 1].y) * px;
      const int samples = 2 * px;
      for (int s = 0; s <= samples; ++s) {
        const double t = static_cast<double>(s) / samples;
        const int cx = static_cast<int>(ax + t * (bx - ax)), cy = static_cast<int>(ay + t * (by - ay));
        fill(frame, cx - line / 2, cy - line / 2, cx + (line + 1) / 2, cy + (line + 1) / 2, colour);
      }
    }
    const GridCell at = path[last];
    const int cx = at.x * px + px / 2, cy = (n_rows - 1 - at.y) * px + px / 2, half = std::max(2, px / 3);
    fill(frame, cx - half, cy - half, cx + half, cy + half, {20, 20, 20});
    fill(frame, cx - half + 1, cy - half + 1, cx + half - 1, cy + half - 1, colour);
  }
  return frame;
}

}  // namespace fpo::render
