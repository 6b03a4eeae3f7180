// ConfigSchema's TOML side: config files read into the option table, and the
// resolved config written back (the option table itself is config_schema.cpp).
#include <toml++/toml.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "fpo/common/error.h"
#include "fpo/common/file_io.h"
#include "fpo/io/config_schema.h"

namespace fpo {

namespace {
void flatten_toml(const toml::table& table, const std::string& prefix, ConfigSchema& schema,
                  const std::string& path) {
  for (const auto& [k, node] : table) {
    const std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (const auto* sub = node.as_table()) {
      flatten_toml(*sub, key, schema, path);
      continue;
    }
    std::string value;
    if (auto s = node.value<std::string>(); s && node.is_string()) value = *s;
    else if (node.is_boolean()) value = *node.value<bool>() ? "true" : "false";
    else if (node.is_integer()) value = std::to_string(*node.value<int64_t>());
    else if (node.is_floating_point()) value = format_double(*node.value<double>());
    else throw Error(path + ": " + key + " has an unsupported value type (use a string, number or boolean)");
    schema.set(key, value, path);
  }
}
}  // namespace

void ConfigSchema::load_toml_file(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(path, ec)) throw Error("config file '" + path + "' does not exist");
  if (!fs::is_regular_file(path, ec)) {
    throw Error("config file '" + path + "' is not a regular file (a directory or device); give a TOML file");
  }
  if (fs::file_size(path, ec) == 0) {
    throw Error("config file '" + path + "' is empty; give a TOML file with at least one option");
  }
  std::ifstream probe(path);
  if (!probe) throw Error("config file '" + path + "' cannot be read");
  load_toml_text(read_file(path), path);
}

void ConfigSchema::load_toml_text(const std::string& text, const std::string& source) {
  toml::table table;
  try {
    table = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    std::ostringstream os;
    os << "config file '" << source << "' cannot be read: " << e.description();
    if (e.source().begin.line > 0) os << " (line " << e.source().begin.line << ")";
    throw Error(os.str());
  }
  flatten_toml(table, "", *this, source);
}

std::string ConfigSchema::to_toml() const {
  toml::table root;
  std::map<std::string, toml::table> sections;  // ordered by name
  for (const auto& d : options_) {
    const auto dot = d.key.find('.');
    toml::table& target = dot == std::string::npos ? root : sections[d.key.substr(0, dot)];
    const std::string leaf = dot == std::string::npos ? d.key : d.key.substr(dot + 1);
    std::visit(
        [&](auto* field) {
          using T = std::remove_pointer_t<decltype(field)>;
          if constexpr (std::is_same_v<T, int>) target.insert(leaf, static_cast<int64_t>(*field));
          else target.insert(leaf, *field);
        },
        d.field);
  }
  for (auto& [name, table] : sections) root.insert(name, std::move(table));
  std::ostringstream os;
  os << "# fpo resolved configuration\n" << root << "\n";
  return os.str();
}

}  // namespace fpo
