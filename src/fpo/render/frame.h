#pragma once
// An RGB image, 8 bits per channel, rows top to bottom.
#include <cstdint>
#include <vector>

namespace fpo::render {

struct Frame {
  int width = 0, height = 0;
  std::vector<uint8_t> rgb;  // width * height * 3

  Frame() = default;
  Frame(int w, int h) : width(w), height(h), rgb(static_cast<size_t>(w) * h * 3, 0) {}
  uint8_t* pixel(int x, int y) { return rgb.data() + (static_cast<size_t>(y) * width + x) * 3; }
};

}  // namespace fpo::render
