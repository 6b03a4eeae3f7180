// Fuzz target: the TOML config loader and --set overrides, as `fpo train
// --config FILE --set ...` uses them. Input: TOML text, optionally followed by
// a line "%%" and one KEY=VALUE assignment per line. Bad input must end in
// fpo::Error (anything else escaping is a crash); a config that validates must
// survive its own TOML round trip unchanged.
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

#include "fpo/algo/train_config.h"
#include "fpo/common/error.h"
#include "fpo/io/config_schema.h"
#include "fpo/io/presets.h"

namespace {

std::string resolved_toml(const std::string& toml, const std::string& sets) {
  fpo::TrainConfig probe;
  fpo::ConfigSchema probe_schema(probe);
  probe_schema.load_toml_text(toml, "fuzz.toml");
  fpo::TrainConfig config;
  fpo::ConfigSchema schema(config);
  fpo::apply_presets(schema, probe.env, probe.algo, "");
  schema.load_toml_text(toml, "fuzz.toml");
  std::istringstream lines(sets);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) schema.set_assignment(line, "--set");
  }
  fpo::validate_config(config);
  return schema.to_toml();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const size_t split = input.find("\n%%\n");
  const std::string toml = input.substr(0, split);
  const std::string sets = split == std::string::npos ? "" : input.substr(split + 4);
  std::string first;
  try {
    first = resolved_toml(toml, sets);
  } catch (const fpo::Error&) {
    return 0;  // refused with a message: what we want
  }
  // What fpo writes as config.toml must read back to the same configuration.
  fpo::TrainConfig again;
  fpo::ConfigSchema schema(again);
  schema.load_toml_text(first, "round trip");
  if (schema.to_toml() != first) std::abort();
  return 0;
}
