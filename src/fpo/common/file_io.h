#pragma once
// Whole-file reads and writes shared by the run files (config, metrics,
// checkpoints) and the suite's logs.
#include <string>

namespace fpo {

// The file's bytes; "" if it cannot be opened.
std::string read_file(const std::string& path);
// Appends `text` (logs).
void append_file(const std::string& path, const std::string& text);
// Writes `bytes` to path + ".tmp" and renames it over `path` (atomic on POSIX
// within one file system), so a crash leaves the old file or the new one;
// throws fpo::Error naming `what` and the path on failure.
void write_file_atomically(const std::string& path, const std::string& bytes, const std::string& what);

}  // namespace fpo
