#pragma once
// The whole fpo command line: every subcommand registered on one CLI11 app.
// main() parses and runs it; the CLI fuzz target only parses it.
#include <map>

#include "cli/commands.h"

namespace fpo::cli {

// Registers every subcommand on `app`; returns each one's runner.
std::map<CLI::App*, Runner> add_commands(CLI::App& app);

}  // namespace fpo::cli
