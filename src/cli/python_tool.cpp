#include "cli/python_tool.h"

#include <filesystem>

#include "cli/child_process.h"

namespace fpo::cli {

namespace fs = std::filesystem;

namespace {

fs::path find_tool(const std::string& script) {
  const fs::path exe_dir = fs::path(self_exe()).parent_path();
  const fs::path source_tree = fs::path(__FILE__).parent_path().parent_path().parent_path();
  for (const fs::path& c : {exe_dir / ".." / "tools" / script, exe_dir / "tools" / script,
                            exe_dir / ".." / "share" / "fpo" / script, source_tree / "tools" / script}) {
    if (fs::exists(c)) return fs::weakly_canonical(c);
  }
  return {};
}

}  // namespace

ToolResult run_python_tool(const std::string& script, const std::vector<std::string>& args,
                           const std::string& log_path, int threads) {
  const std::string python = "/usr/bin/python3";
  const fs::path path = find_tool(script);
  if (path.empty()) return {false, "tools/" + script + " not found next to " + self_exe()};
  ChildEnv env = make_child_env(threads);
  if (!fs::exists(python) || run_child({python, "-c", "import matplotlib"}, "/dev/null", "/dev/null", env, -1) != 0) {
    return {false, python + " with matplotlib is not available (apt-get install python3-matplotlib); run " +
                       path.string() + " by hand later"};
  }
  std::vector<std::string> argv = {python, path.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  fs::remove(log_path);
  const int rc = run_child(argv, log_path, log_path, env, -1);
  if (rc != 0) return {false, script + " failed (status " + std::to_string(rc) + "):\n" + tail_lines(log_path, 5)};
  fs::remove(log_path);
  return {true, ""};
}

}  // namespace fpo::cli
