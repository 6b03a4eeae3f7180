#pragma once
// Child processes of `fpo suite`: each run's `fpo train` / `fpo eval` (and the
// plotter) in its own process, with thread counts set for sharing the cores
// and interrupts passed on so every child saves its checkpoint.
#include <string>
#include <vector>

namespace fpo::cli {

// Worker slots whose children receive a forwarded interrupt.
constexpr int kMaxWorkers = 256;

// SIGINT/SIGTERM of this process set interrupted() and reach every running child.
void forward_interrupts_to_children();
bool interrupted();

struct ChildEnv {
  std::vector<std::string> storage;
  std::vector<char*> ptrs;
};

// This process's environment with OMP/BLAS thread counts set for one run
// (unless the user set OMP_NUM_THREADS), so K runs share the cores.
ChildEnv make_child_env(int threads);

// Runs argv with stdin from /dev/null, stdout to `stdout_path` (truncated) and
// stderr appended to `stderr_path`; returns the exit status (128 + signal if
// killed by one, -1 if it could not start). A child in worker `slot` >= 0 is
// passed on an interrupt of the suite; slot -1: not (the final plot).
int run_child(const std::vector<std::string>& argv, const std::string& stdout_path, const std::string& stderr_path,
              ChildEnv& env, int slot);

// The running binary's path (/proc/self/exe); throws fpo::Error if unreadable.
std::string self_exe();

// The last n lines of a text file, each indented as "    | line\n".
std::string tail_lines(const std::string& path, int n);

}  // namespace fpo::cli
