#include "fpo/io/metrics_writer.h"

#include <cstdlib>
#include <cmath>
#include <iomanip>
#include <sstream>

#include "fpo/common/error.h"
#include "fpo/common/file_io.h"

namespace fpo {

int64_t truncate_metrics_after(const std::string& path, int64_t iteration) {
  const std::string text = read_file(path);
  std::string kept;
  int64_t dropped = 0;
  size_t pos = 0;
  for (bool header = true; pos < text.size(); header = false) {
    const size_t end = text.find('\n', pos);
    if (end == std::string::npos) {  // a row cut off by a kill
      ++dropped;
      break;
    }
    const std::string line = text.substr(pos, end - pos + 1);
    pos = end + 1;
    if (!header) {
      char* stop = nullptr;
      const double it = std::strtod(line.c_str(), &stop);
      if (stop == line.c_str() || !(it <= static_cast<double>(iteration))) {
        ++dropped;
        continue;
      }
    }
    kept += line;
  }
  if (dropped > 0) write_file_atomically(path, kept, "metrics file");
  return dropped;
}

MetricsWriter::MetricsWriter(const std::string& path, bool append) : path_(path) {
  if (append) {
    std::ifstream in(path);
    std::string header;
    if (in && std::getline(in, header) && !header.empty()) {
      std::stringstream ss(header);
      std::string col;
      while (std::getline(ss, col, ',')) columns_.push_back(col);
    }
  }
  out_.open(path, append ? std::ios::app : std::ios::trunc);
  if (!out_) throw Error("cannot open metrics file '" + path + "' for writing");
}

void MetricsWriter::write(const MetricsRow& row) {
  if (columns_.empty()) {
    for (size_t i = 0; i < row.size(); ++i) out_ << (i ? "," : "") << row[i].first;
    out_ << "\n";
    for (const auto& kv : row) columns_.push_back(kv.first);
  }
  if (columns_.size() != row.size()) {
    throw Error("metrics file '" + path_ + "' has " + std::to_string(columns_.size()) + " columns but this run writes " +
                std::to_string(row.size()));
  }
  out_ << std::setprecision(7);
  for (size_t i = 0; i < row.size(); ++i) {
    out_ << (i ? "," : "");
    if (std::isfinite(row[i].second)) out_ << row[i].second;  // empty cell for NaN (no data)
  }
  out_ << "\n";
  out_.flush();
}

}  // namespace fpo
