#pragma once
// Appends metrics rows to a CSV file, one row per iteration, flushed each row
// so a crash loses at most the row being written.
#include <fstream>
#include <string>
#include <vector>

#include "fpo/algo/trainer.h"

namespace fpo {

class MetricsWriter {
 public:
  // append = true continues an existing file (resumed run) after checking
  // that its header matches.
  MetricsWriter(const std::string& path, bool append);
  void write(const MetricsRow& row);

 private:
  std::string path_;
  std::ofstream out_;
  std::vector<std::string> columns_;
};

}  // namespace fpo
