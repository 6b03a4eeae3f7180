// fpo envs: list environments with their facts; optionally measure random and
// scripted-controller returns, or print a gridworld map.
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>

#include "cli/commands.h"
#include "fpo/algo/evaluate.h"
#include "fpo/common/error.h"
#include "fpo/env/gridworld.h"
#include "fpo/env/registry.h"

namespace fpo::cli {

namespace {

struct EnvsArgs {
  bool json = false;
  bool returns = false;
  int episodes = 16;
  std::string map;
  std::string only;
};

double mean_return(const EvalResult& r) {
  double s = 0;
  for (double v : r.returns) s += v;
  return s / static_cast<double>(r.returns.size());
}

int run_envs(const EnvsArgs& args) {
  if (!args.map.empty()) {
    const std::string prefix = "gridworld:";
    if (args.map.rfind(prefix, 0) != 0) throw Error("--map takes a gridworld env (gridworld:LAYOUT), got '" + args.map + "'");
    std::cout << gridworld_ascii_map(args.map.substr(prefix.size()));
    return 0;
  }
  const auto& registry = EnvRegistry::global();
  std::vector<std::string> names = registry.names();
  if (!args.only.empty()) {
    registry.make(args.only);  // errors on an unknown name
    names = {args.only};
  }
  const int threads = std::max(1u, std::thread::hardware_concurrency());
  nlohmann::json all = nlohmann::json::array();
  if (!args.json) {
    std::cout << std::left << std::setw(30) << "env" << std::setw(5) << "obs" << std::setw(5) << "act" << std::setw(8)
              << "dt" << std::setw(7) << "steps";
    if (args.returns) std::cout << std::setw(10) << "random" << std::setw(10) << "scripted";
    std::cout << "reward\n";
  }
  for (const auto& name : names) {
    const EnvFactory f = registry.make(name);
    nlohmann::json e = {{"name", name},
                        {"obs_dim", f.spec.obs_dim},
                        {"act_dim", f.spec.act_dim},
                        {"control_dt", f.spec.control_dt},
                        {"max_episode_steps", f.spec.max_episode_steps},
                        {"reward", f.spec.reward_summary}};
    double random_return = std::nan(""), scripted_return = std::nan("");
    if (args.returns) {
      std::mt19937_64 rng(7);
      BatchController random = [&](const float*, int n, float* a) {
        std::uniform_real_distribution<float> u(-1.0f, 1.0f);
        for (int k = 0; k < n * f.spec.act_dim; ++k) a[k] = u(rng);
      };
      random_return = mean_return(run_episodes(f, random, args.episodes, 1, threads));
      e["random_return"] = random_return;
      if (f.scripted) {
        BatchController scripted = [&](const float* obs, int n, float* a) {
          for (int i = 0; i < n; ++i) f.scripted(obs + i * f.spec.obs_dim, a + i * f.spec.act_dim);
        };
        scripted_return = mean_return(run_episodes(f, scripted, args.episodes, 1, threads));
        e["scripted_return"] = scripted_return;
      } else {
        e["scripted_return"] = nullptr;
      }
    }
    all.push_back(e);
    if (!args.json) {
      std::cout << std::left << std::setw(30) << name << std::setw(5) << f.spec.obs_dim << std::setw(5)
                << f.spec.act_dim << std::setw(8) << f.spec.control_dt << std::setw(7) << f.spec.max_episode_steps;
      if (args.returns) {
        auto fmt = [](double v) {
          std::ostringstream os;
          if (std::isfinite(v)) os << std::fixed << std::setprecision(1) << v; else os << "-";
          return os.str();
        };
        std::cout << std::setw(10) << fmt(random_return) << std::setw(10) << fmt(scripted_return);
      }
      std::cout << f.spec.reward_summary << "\n";
    }
  }
  if (args.json) std::cout << all.dump(2) << "\n";
  return 0;
}

}  // namespace

Runner add_envs_command(CLI::App& app) {
  auto args = std::make_shared<EnvsArgs>();
  CLI::App* cmd = app.add_subcommand("envs", "List environments: obs/action dims, control time step, reward");
  cmd->add_flag("--json", args->json, "JSON output");
  cmd->add_flag("--returns", args->returns, "also measure random-policy and scripted-controller returns");
  cmd->add_option("--episodes", args->episodes, "episodes per measurement with --returns")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  cmd->add_option("--env", args->only, "only this env");
  cmd->add_option("--map", args->map, "print the map of a gridworld env (# wall, G goal, X death, . free)");
  return [args] { return run_envs(*args); };
}

}  // namespace fpo::cli
