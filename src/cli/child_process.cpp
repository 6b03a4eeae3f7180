#include "cli/child_process.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "fpo/common/error.h"
#include "fpo/common/file_io.h"

extern char** environ;

namespace fpo::cli {

namespace {
std::atomic<bool> g_interrupted{false};
std::atomic<pid_t> g_children[kMaxWorkers];

void on_signal(int) {
  g_interrupted = true;
  // Ctrl-C reaches the children through the terminal; a kill of this process
  // alone is passed on, so each `fpo train` saves its checkpoint.
  for (auto& c : g_children) {
    const pid_t pid = c.load();
    if (pid > 0) kill(pid, SIGINT);
  }
}
}  // namespace

void forward_interrupts_to_children() {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
}

bool interrupted() { return g_interrupted; }

ChildEnv make_child_env(int threads) {
  ChildEnv env;
  const bool user_omp = std::getenv("OMP_NUM_THREADS") != nullptr;
  for (char** e = environ; *e; ++e) {
    const std::string kv = *e;
    if (!user_omp && (kv.rfind("OMP_NUM_THREADS=", 0) == 0 || kv.rfind("OPENBLAS_NUM_THREADS=", 0) == 0)) continue;
    env.storage.push_back(kv);
  }
  if (!user_omp) {
    env.storage.push_back("OMP_NUM_THREADS=" + std::to_string(threads));
    env.storage.push_back("OPENBLAS_NUM_THREADS=" + std::to_string(threads));
  }
  for (auto& s : env.storage) env.ptrs.push_back(s.data());
  env.ptrs.push_back(nullptr);
  return env;
}

int run_child(const std::vector<std::string>& argv, const std::string& stdout_path, const std::string& stderr_path,
              ChildEnv& env, int slot) {
  std::vector<char*> args;
  std::vector<std::string> copy = argv;
  for (auto& a : copy) args.push_back(a.data());
  args.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  pid_t pid = 0;
  const int err = posix_spawn(&pid, args[0], &fa, nullptr, args.data(), env.ptrs.data());
  posix_spawn_file_actions_destroy(&fa);
  if (err != 0) {
    append_file(stderr_path, "fpo suite: cannot start " + argv[0] + ": " + std::strerror(err) + "\n");
    return -1;
  }
  if (slot >= 0) {
    g_children[slot] = pid;
    if (g_interrupted) kill(pid, SIGINT);  // interrupted while it was starting
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (slot >= 0) g_children[slot] = 0;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

std::string self_exe() {
  std::error_code ec;
  const std::filesystem::path p = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) throw Error("cannot find the fpo binary through /proc/self/exe: " + ec.message());
  return p.string();
}

std::string tail_lines(const std::string& path, int n) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    lines.push_back(line);
    if (static_cast<int>(lines.size()) > n) lines.erase(lines.begin());
  }
  std::string out;
  for (const auto& l : lines) out += "    | " + l + "\n";
  return out;
}

}  // namespace fpo::cli
