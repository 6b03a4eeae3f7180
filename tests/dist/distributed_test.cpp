// Data-parallel training against one process: fpo_dist_update_worker run as
// 1 process and as 2 processes meeting on loopback (no torchrun needed) must
// end with the same parameters, normaliser and adaptive lr.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

// A TCP port that was free a moment ago.
int free_port() {
  const int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(s, reinterpret_cast<sockaddr*>(&addr), &len);
  close(s);
  return ntohs(addr.sin_port);
}

// Starts the worker as rank `rank` of `world`; stderr goes to `log`.
pid_t start_worker(int rank, int world, int port, const std::string& out, const std::string& algo,
                   const std::string& log, const std::string& timeout = "30") {
  const pid_t pid = fork();
  if (pid == 0) {
    setenv("RANK", std::to_string(rank).c_str(), 1);
    setenv("WORLD_SIZE", std::to_string(world).c_str(), 1);
    setenv("MASTER_ADDR", "127.0.0.1", 1);
    setenv("MASTER_PORT", std::to_string(port).c_str(), 1);
    if (!freopen(log.c_str(), "w", stderr)) _exit(126);
    execl(FPO_DIST_WORKER, FPO_DIST_WORKER, out.c_str(), algo.c_str(), timeout.c_str(), nullptr);
    _exit(127);
  }
  return pid;
}

int wait_exit_code(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::vector<double> read_doubles(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<double> v;
  double x;
  while (in.read(reinterpret_cast<char*>(&x), sizeof x)) v.push_back(x);
  return v;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class Distributed : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("fpo_dist_test_" + std::to_string(getpid()) + "_" + GetParam());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

TEST_P(Distributed, TwoRanksEndWithTheParametersOfOneProcess) {
  const std::string algo = GetParam();
  const pid_t single = start_worker(0, 1, free_port(), path("one.bin"), algo, path("one.log"));
  ASSERT_EQ(wait_exit_code(single), 0) << read_text(path("one.log"));
  const int port = free_port();
  const pid_t r0 = start_worker(0, 2, port, path("r0.bin"), algo, path("r0.log"));
  const pid_t r1 = start_worker(1, 2, port, path("r1.bin"), algo, path("r1.log"));
  ASSERT_EQ(wait_exit_code(r0), 0) << read_text(path("r0.log"));
  ASSERT_EQ(wait_exit_code(r1), 0) << read_text(path("r1.log"));

  const auto one = read_doubles(path("one.bin")), a = read_doubles(path("r0.bin")), b = read_doubles(path("r1.bin"));
  ASSERT_GT(one.size(), 100u);
  ASSERT_EQ(a.size(), one.size());
  ASSERT_EQ(b.size(), one.size());
  // The ranks agree exactly: they apply the same averaged gradient.
  EXPECT_EQ(a, b);
  // And match one process up to float32 summation order. The last value is the adaptive lr.
  double worst = 0;
  for (size_t i = 0; i < one.size(); ++i) worst = std::max(worst, std::abs(a[i] - one[i]) / (1e-3 + std::abs(one[i])));
  EXPECT_LT(worst, 2e-4);
  EXPECT_DOUBLE_EQ(a.back(), one.back());
  // The update moved the parameters (the comparison is not of two untouched copies).
  const auto init = read_doubles(path("one.bin.init"));
  ASSERT_EQ(init.size(), one.size());
  double moved = 0;
  for (size_t i = 0; i + 1 < one.size(); ++i) moved = std::max(moved, std::abs(one[i] - init[i]));
  EXPECT_GT(moved, 1e-3);
}

INSTANTIATE_TEST_SUITE_P(Algos, Distributed, ::testing::Values("fpo", "ppo"));

TEST(DistributedFailure, ARankThatNeverComesEndsTheJobWithinTheTimeout) {
  const std::string log = (fs::temp_directory_path() / ("fpo_dist_alone_" + std::to_string(getpid()) + ".log")).string();
  const auto t0 = std::chrono::steady_clock::now();
  const pid_t alone = start_worker(0, 2, free_port(), "/dev/null", "ppo", log, "3");
  const int code = wait_exit_code(alone);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const std::string text = read_text(log);
  fs::remove(log);
  EXPECT_NE(code, 0);
  EXPECT_LT(seconds, 30.0);
  EXPECT_NE(text.find("rank 0 of 2: rendezvous failed"), std::string::npos) << text;
  EXPECT_NE(text.find("timeout 3 s"), std::string::npos) << text;
}

}  // namespace
