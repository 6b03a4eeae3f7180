#include "fpo/io/metrics_writer.h"

#include <cmath>
#include <iomanip>
#include <sstream>

#include "fpo/common/error.h"

namespace fpo {

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
