#include "cli/config_layers.h"

#include "fpo/io/presets.h"

namespace fpo::cli {

TrainConfig resolve_layers(const ConfigLayers& layers, const std::function<void(ConfigSchema&)>& flags) {
  std::string env = layers.env, algo = layers.algo;
  if (!layers.config_file.empty()) {
    // A config file may name env/algo; flags given explicitly win.
    TrainConfig probe;
    ConfigSchema probe_schema(probe);
    probe_schema.load_toml_file(layers.config_file);
    if (!layers.env_given && probe_schema.was_set("env.name")) env = probe.env;
    if (!layers.algo_given && probe_schema.was_set("algo")) algo = probe.algo;
  }
  TrainConfig config;
  ConfigSchema schema(config);
  schema.set("env.name", env, "--env");
  schema.set("algo", algo, "--algo");
  apply_presets(schema, env, algo, layers.preset);
  if (!layers.config_file.empty()) schema.load_toml_file(layers.config_file);
  for (const auto& s : layers.sets) schema.set_assignment(s, "--set");
  schema.set("env.name", env, "--env");
  schema.set("algo", algo, "--algo");
  if (flags) flags(schema);
  validate_config(config);
  return config;
}

}  // namespace fpo::cli
