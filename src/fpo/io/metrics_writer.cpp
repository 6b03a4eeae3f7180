#include "fpo/io/metrics_writer.h"

#include <algorithm>
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

// A row with columns the file lacks (a run resumed by a newer fpo, which
// reports more metrics): the file is rewritten atomically with those columns
// appended to its header and empty cells in its earlier rows.
void MetricsWriter::widen(const MetricsRow& row) {
  std::vector<std::string> added;
  for (const auto& [name, value] : row) {
    if (std::find(columns_.begin(), columns_.end(), name) == columns_.end()) added.push_back(name);
  }
  if (added.empty()) return;
  out_.close();
  const std::string text = read_file(path_);
  std::string header_tail, cell_tail, widened;
  for (const auto& name : added) {
    header_tail += "," + name;
    cell_tail += ",";
  }
  size_t pos = 0;
  for (bool header = true; pos < text.size(); header = false) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    widened += text.substr(pos, end - pos) + (header ? header_tail : cell_tail) + "\n";
    pos = end + 1;
  }
  write_file_atomically(path_, widened, "metrics file");
  columns_.insert(columns_.end(), added.begin(), added.end());
  out_.open(path_, std::ios::app);
  if (!out_) throw Error("cannot open metrics file '" + path_ + "' for writing");
}

void MetricsWriter::write(const MetricsRow& row) {
  if (columns_.empty()) {
    for (size_t i = 0; i < row.size(); ++i) out_ << (i ? "," : "") << row[i].first;
    out_ << "\n";
    for (const auto& kv : row) columns_.push_back(kv.first);
  }
  widen(row);
  // By name, in the file's order; a column this run does not report stays empty.
  out_ << std::setprecision(7);
  for (size_t i = 0; i < columns_.size(); ++i) {
    out_ << (i ? "," : "");
    for (const auto& [name, value] : row) {
      if (name == columns_[i]) {
        if (std::isfinite(value)) out_ << value;  // empty cell for NaN (no data)
        break;
      }
    }
  }
  out_ << "\n";
  out_.flush();
}

}  // namespace fpo
