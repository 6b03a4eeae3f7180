#include "cli/app.h"

#include <cmath>
#include <sstream>
#include <string>

namespace fpo::cli {

CLI::Validator finite_in(double min, double max) {
  std::ostringstream range;
  range << min << " to " << max;
  const std::string allowed = "a finite number from " + range.str();
  return CLI::Validator(
      [min, max, allowed](std::string& text) -> std::string {
        double v = 0;
        if (!CLI::detail::lexical_cast(text, v) || !std::isfinite(v) || v < min || v > max) {
          return "'" + text + "' is not allowed; allowed: " + allowed;
        }
        return "";
      },
      "FLOAT " + range.str());
}

std::map<CLI::App*, Runner> add_commands(CLI::App& app) {
  app.require_subcommand(1);
  app.get_formatter()->column_width(40);
  std::map<CLI::App*, Runner> runners;
  for (auto adder : {add_train_command, add_eval_command, add_sample_command, add_envs_command, add_bench_command,
                     add_suite_command, add_render_command, add_plot_command}) {
    const size_t before = app.get_subcommands({}).size();
    Runner runner = adder(app);
    runners[app.get_subcommands({}).at(before)] = runner;
  }
  return runners;
}

}  // namespace fpo::cli
