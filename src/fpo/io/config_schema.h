#pragma once
// The user-facing names of TrainConfig's fields, with help text and allowed
// ranges. One table drives --help, --set, config files, validation and the
// resolved config written into each run directory.
#include <functional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "fpo/algo/train_config.h"

namespace fpo {

// The shortest decimal text that reads back as exactly v.
std::string format_double(double v);

struct OptionDef {
  std::string key;   // e.g. "train.lr"
  std::string help;
  std::variant<int*, int64_t*, double*, bool*, std::string*> field;
  // Allowed values: numeric bounds (min_exclusive: value must be > min) or a
  // list of choices for strings. Checked on every set.
  double min = -1e300;
  bool min_exclusive = false;
  double max = 1e300;
  std::vector<std::string> choices;
};

class ConfigSchema {
 public:
  // Binds the option table to `config`; sets write into it.
  explicit ConfigSchema(TrainConfig& config);

  const std::vector<OptionDef>& options() const { return options_; }
  // Parses and validates `value` for `key`; `source` names where it came from
  // (e.g. "--set", "config.toml") for error messages.
  void set(const std::string& key, const std::string& value, const std::string& source);
  // "key=value" form of --set.
  void set_assignment(const std::string& assignment, const std::string& source);
  std::string get(const std::string& key) const;
  // Whether `key` has been set through this schema (file, --set, preset).
  bool was_set(const std::string& key) const { return assigned_.count(key) > 0; }

  // Reads a TOML file whose tables are key prefixes ([train] lr = 3e-4).
  void load_toml_file(const std::string& path);
  // The same for TOML text; `source` names it in errors (the config fuzz target's entry).
  void load_toml_text(const std::string& text, const std::string& source);
  // The whole config as TOML (grouped by prefix), readable by load_toml_file.
  std::string to_toml() const;

 private:
  const OptionDef& find(const std::string& key) const;
  std::vector<OptionDef> options_;
  std::set<std::string> assigned_;
};

// 2^24 transitions per iteration at most (17x the FPO paper's 983,040).
constexpr int64_t kMaxRolloutSteps = int64_t{1} << 24;

// Checks relations between options (e.g. batch >= minibatches); throws fpo::Error.
void validate_config(const TrainConfig& config);  // in config_validation.cpp

}  // namespace fpo
