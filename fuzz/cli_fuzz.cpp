// Fuzz target: the command-line parser with every subcommand and check
// registered, as main() builds it. Input: one argument per line. Parsing only
// (nothing is trained): a bad command line must end in CLI::ParseError.
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "cli/app.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::istringstream lines(std::string(reinterpret_cast<const char*>(data), size));
  std::vector<std::string> args;
  for (std::string line; std::getline(lines, line) && args.size() < 64;) args.push_back(line);
  std::vector<const char*> argv = {"fpo"};
  for (const auto& a : args) argv.push_back(a.c_str());
  CLI::App app{"fpo"};
  const auto runners = fpo::cli::add_commands(app);
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError&) {
  }
  return 0;
}
