#pragma once
// The companion plotters in tools/, run by Debian's python3 with matplotlib
// (never on the training path). Shared by `fpo plot` and `fpo suite`.
#include <string>
#include <vector>

namespace fpo::cli {

struct ToolResult {
  bool ok = false;
  std::string problem;  // when !ok: what is missing or the tail of the tool's log
};

// Finds tools/<script> next to the fpo binary (build tree, install prefix's
// share/fpo, or the source tree it was built from) and runs
// `/usr/bin/python3 script args...` with `threads` BLAS/OpenMP threads.
// Output goes to log_path, which is removed when the tool succeeds.
ToolResult run_python_tool(const std::string& script, const std::vector<std::string>& args,
                           const std::string& log_path, int threads);

}  // namespace fpo::cli
