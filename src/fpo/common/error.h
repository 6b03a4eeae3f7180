#pragma once
// One exception type for every user-facing error: the CLI prints its message
// and exits non-zero. Messages name the bad value and what is allowed.
#include <stdexcept>
#include <string>

namespace fpo {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace fpo
