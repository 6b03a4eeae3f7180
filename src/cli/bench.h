#pragma once
// The `fpo bench` subcommands, registered on the bench command.
#include "cli/commands.h"

namespace fpo::cli {

Runner add_bench_env(CLI::App* bench);
Runner add_bench_train(CLI::App* bench);

}  // namespace fpo::cli
