#pragma once
// Per-environment random streams: each env owns a generator seeded from
// (run seed, env index), so results do not depend on the thread count.
#include <cstdint>
#include <random>

namespace fpo {

using Rng = std::mt19937_64;

// SplitMix64 finaliser: turns (seed, stream) into well-separated seeds.
inline uint64_t mix_seed(uint64_t seed, uint64_t stream) {
  uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (stream + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

inline double uniform(Rng& rng, double lo, double hi) {
  return std::uniform_real_distribution<double>(lo, hi)(rng);
}

inline double normal(Rng& rng, double mean = 0.0, double stddev = 1.0) {
  return std::normal_distribution<double>(mean, stddev)(rng);
}

}  // namespace fpo
