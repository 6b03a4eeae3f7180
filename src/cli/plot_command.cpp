// fpo plot: one PNG of one or more runs' metrics.csv (learning curve against
// env steps and wall-clock, and the health metrics), drawn by
// tools/plot_suite.py --runs.
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "cli/python_tool.h"
#include "cli/run_dir.h"
#include "fpo/common/error.h"
#include "fpo/common/file_io.h"

namespace fpo::cli {

namespace {

namespace fs = std::filesystem;

struct PlotArgs {
  std::vector<std::string> runs;
  std::string out;
  std::vector<std::string> labels;
  std::string title;
};

int run_plot(const PlotArgs& args) {
  for (const auto& run : args.runs) {
    const RunPaths paths(run);
    if (!fs::is_regular_file(paths.metrics)) {
      throw Error("run directory '" + run + "' has no metrics.csv; allowed: directories written by `fpo train`");
    }
    if (read_file(paths.metrics).find('\n') == std::string::npos) {
      throw Error("'" + paths.metrics + "' holds no rows yet");
    }
  }
  if (!args.labels.empty() && args.labels.size() != args.runs.size()) {
    throw Error("--label given " + std::to_string(args.labels.size()) + " times for " +
                std::to_string(args.runs.size()) + " runs; give one per --run or none");
  }
  const std::string out = args.out.empty() ? (fs::path(args.runs[0]) / "plot.png").string() : args.out;
  if (fs::path(out).extension() != ".png") throw Error("--out '" + out + "' must be a .png file");
  refuse_run_file(out, "--out");
  std::vector<std::string> tool_args = {"--runs"};
  tool_args.insert(tool_args.end(), args.runs.begin(), args.runs.end());
  tool_args.insert(tool_args.end(), {"--out", out});
  if (!args.labels.empty()) {
    std::string joined;
    for (const auto& l : args.labels) {
      if (l.find(',') != std::string::npos) throw Error("--label '" + l + "' holds a comma; allowed: any other text");
      joined += (joined.empty() ? "" : ",") + l;
    }
    tool_args.insert(tool_args.end(), {"--labels", joined});
  }
  if (!args.title.empty()) tool_args.insert(tool_args.end(), {"--title", args.title});
  const ToolResult plotted = run_python_tool("plot_suite.py", tool_args, out + ".log", 1);
  if (!plotted.ok) throw Error("no plot: " + plotted.problem);
  std::cout << "wrote " << out << "\n";
  return 0;
}

}  // namespace

Runner add_plot_command(CLI::App& app) {
  auto args = std::make_shared<PlotArgs>();
  CLI::App* cmd = app.add_subcommand("plot", "Plot runs' learning curves and health metrics into one PNG");
  cmd->add_option("--run", args->runs, "run directory written by `fpo train`; repeat to compare runs")->required();
  cmd->add_option("--out", args->out, "PNG to write (default: RUN/plot.png of the first run)");
  cmd->add_option("--label", args->labels, "legend label per --run, in order (default: the directory names)");
  cmd->add_option("--title", args->title, "a title over all panels");
  return [args] { return run_plot(*args); };
}

}  // namespace fpo::cli
