// metrics.csv across versions: a resumed run writes by column name and adds
// the columns a newer fpo reports to the file it continues.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "fpo/common/file_io.h"
#include "fpo/io/metrics_writer.h"

namespace fpo {
namespace {

std::string temp_path(const char* name) { return (std::filesystem::temp_directory_path() / name).string(); }

TEST(MetricsWriter, AResumedRunAddsNewColumnsAndWritesByName) {
  const std::string path = temp_path("fpo_metrics_writer_test.csv");
  {
    MetricsWriter old_run(path, /*append=*/false);
    old_run.write({{"iteration", 1}, {"return_mean", 5}});
    old_run.write({{"iteration", 2}, {"return_mean", 6}});
  }
  {
    MetricsWriter resumed(path, /*append=*/true);
    // A newer fpo: another order and one more column.
    resumed.write({{"iteration", 3}, {"action_spread", 0.5}, {"return_mean", 7}});
    // A column this row lacks stays empty.
    resumed.write({{"iteration", 4}, {"action_spread", 0.25}});
  }
  EXPECT_EQ(read_file(path),
            "iteration,return_mean,action_spread\n"
            "1,5,\n"
            "2,6,\n"
            "3,7,0.5\n"
            "4,,0.25\n");
  std::remove(path.c_str());
}

}  // namespace
}  // namespace fpo
