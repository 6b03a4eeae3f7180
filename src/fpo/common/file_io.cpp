#include "fpo/common/file_io.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "fpo/common/error.h"

namespace fpo {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

void append_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::app);
  out << text;
}

void write_file_atomically(const std::string& path, const std::string& bytes, const std::string& what) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << bytes;
    out.close();
    if (!out) throw Error("cannot write " + what + " '" + tmp + "'");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw Error("cannot move " + what + " into place at '" + path + "': " + ec.message());
}

}  // namespace fpo
