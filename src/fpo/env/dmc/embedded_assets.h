#pragma once
// MJCF files of assets/dmc, compiled into the library by cmake/EmbedAssets.cmake
// so that the binary runs from any directory.
#include <cstddef>

namespace fpo::dmc {

struct EmbeddedAsset {
  const char* name;  // file name, e.g. "cartpole.xml"
  const char* data;
  std::size_t size;
};

extern const EmbeddedAsset kEmbeddedAssets[];
extern const std::size_t kNumEmbeddedAssets;

}  // namespace fpo::dmc
