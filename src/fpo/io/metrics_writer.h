#pragma once
// Appends metrics rows to a CSV file, one row per iteration, flushed each row
// so a crash loses at most the row being written.
#include <fstream>
#include <string>
#include <vector>

#include "fpo/algo/trainer.h"

namespace fpo {

// Keeps the header and the rows of iterations <= `iteration` (the first
// column), dropping later ones and a half-written last line; rewrites the file
// atomically. Returns the number of rows dropped. A resumed run calls it with
// its checkpoint's iteration, so no iteration appears twice.
int64_t truncate_metrics_after(const std::string& path, int64_t iteration);

class MetricsWriter {
 public:
  // append = true continues an existing file (resumed run). Rows are written
  // by column name in the file's order: a column the run does not report is
  // left empty, and one the file lacks is added to it (widen).
  MetricsWriter(const std::string& path, bool append);
  void write(const MetricsRow& row);

 private:
  void widen(const MetricsRow& row);
  std::string path_;
  std::ofstream out_;
  std::vector<std::string> columns_;
};

}  // namespace fpo
