// fpo render: roll out a trained policy and write what it does to a video.
// MuJoCo tasks: offscreen frames from the task's camera (EGL, no display);
// GridWorld: the episodes' paths drawn on the map, step by step.
#include <algorithm>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli/commands.h"
#include "cli/loaded_run.h"
#include "cli/run_dir.h"
#include "fpo/common/error.h"
#include "fpo/env/dmc/mujoco_task.h"
#include "fpo/env/gridworld.h"
#include "fpo/env/registry.h"
#include "fpo/render/gl_context.h"
#include "fpo/render/gridworld_frame.h"
#include "fpo/render/mujoco_renderer.h"
#include "fpo/render/video_writer.h"

namespace fpo::cli {

namespace {

struct RenderArgs {
  std::string run, out, still, checkpoint;
  int episodes = 1;
  std::string seed = "0";
  SamplingOptions sampling;
  std::string camera;
  std::string resolution = "640x480";
  int fps = 0;  // 0: 30 for MuJoCo tasks, 10 for GridWorld
  std::string start;
  std::string device = "cpu";
};

struct EpisodeResult {
  double ret = 0;
  int length = 0;
  int outcome = -1;
};

// Called with the env step (0 after reset), the observation and the return so far.
using StepObserver = std::function<void(int step, const float* obs, double ret)>;

// One episode with the run's policy, ending as VecEnv ends it (termination,
// the step limit, or an unstable simulation).
EpisodeResult play_episode(Env& env, const EnvSpec& spec, LoadedRun& run, bool deterministic, Rng& rng,
                           const StepObserver& observe) {
  std::vector<float> obs(spec.obs_dim), action(spec.act_dim);
  env.reset(rng, obs.data());
  EpisodeResult result;
  observe(0, obs.data(), 0.0);
  while (true) {
    auto o = torch::from_blob(obs.data(), {1, spec.obs_dim}, torch::kFloat32).to(run.device);
    auto a = run.agent.env_action(run.agent.policy->act(run.agent.normalized(o), deterministic, false).action)
                 .to(torch::kCPU).contiguous();
    for (int j = 0; j < spec.act_dim; ++j) {
      const float v = a.data_ptr<float>()[j];
      if (!std::isfinite(v)) throw Error("the policy produced a non-finite action at step " +
                                         std::to_string(result.length) + "; the checkpoint is broken");
      action[j] = std::clamp(v, -1.0f, 1.0f);
    }
    const StepResult r = env.step(action.data(), rng, obs.data());
    result.ret += r.reward;
    ++result.length;
    observe(result.length, obs.data(), result.ret);
    if (r.terminated || r.unstable) {
      result.outcome = r.outcome;
      return result;
    }
    if (result.length >= spec.max_episode_steps) return result;
  }
}

std::pair<int, int> parse_resolution(const std::string& text) {
  const auto x = text.find('x');
  std::vector<int> wh;
  if (x != std::string::npos) wh = parse_int_list(text.substr(0, x) + "," + text.substr(x + 1), "--resolution");
  if (wh.size() != 2 || wh[0] < 16 || wh[1] < 16 || wh[0] > 4096 || wh[1] > 4096) {
    throw Error("--resolution '" + text + "' is not WIDTHxHEIGHT; allowed: 16 to 4096 pixels each, e.g. 640x480");
  }
  return {wh[0], wh[1]};
}

bool is_still(const std::string& path) { return std::filesystem::path(path).extension() == ".png"; }

std::string summary_line(const std::vector<EpisodeResult>& episodes) {
  double mean = 0;
  for (const auto& e : episodes) mean += e.ret / episodes.size();
  std::ostringstream s;
  s << std::fixed << std::setprecision(1) << "return_mean " << mean << " over " << episodes.size() << " episode(s)";
  return s.str();
}

int render_mujoco(const RenderArgs& args, LoadedRun& run, const EnvFactory& factory, int64_t seed) {
  const auto [width, height] = parse_resolution(args.resolution);
  std::unique_ptr<Env> env = factory.make();
  auto* task = dynamic_cast<dmc::MujocoTask*>(env.get());
  render::HeadlessGlContext gl;
  render::MujocoRenderer renderer(task->model(), width, height, args.camera);
  const int fps = args.fps > 0 ? args.fps : 30;
  // Render every k-th env step so that the video plays in about real time.
  const int every = std::max(1, static_cast<int>(std::lround(1.0 / (factory.spec.control_dt * fps))));
  // A .png --out is the still alone; otherwise --still is an extra output.
  const std::string still_path = is_still(args.out) ? args.out : args.still;
  std::unique_ptr<render::VideoWriter> video, still;
  if (!is_still(args.out)) video = std::make_unique<render::VideoWriter>(args.out, width, height, fps);
  if (!still_path.empty()) still = std::make_unique<render::VideoWriter>(still_path, width, height, 1);
  std::cout << "render: " << factory.spec.name << ", " << renderer.camera_description() << ", " << width << "x"
            << height << ", every " << every << " env step(s) at " << fps << " fps; OpenGL: " << gl.renderer_name()
            << "\n";

  const int middle_step = factory.spec.max_episode_steps / 2;
  std::vector<EpisodeResult> episodes;
  for (int e = 0; e < args.episodes; ++e) {
    Rng rng(mix_seed(static_cast<uint64_t>(seed), 7919 + e));
    const EpisodeResult result = play_episode(*env, factory.spec, run, args.sampling.deterministic, rng,
        [&](int step, const float*, double ret) {
          const bool for_video = video && step % every == 0;
          const bool for_still = still && e == 0 && step == middle_step;
          if (!for_video && !for_still) return;
          std::ostringstream overlay;
          overlay << factory.spec.name << "  " << run.config.algo << "\nepisode " << e << "  step " << step
                  << "  return " << std::fixed << std::setprecision(1) << ret;
          const render::Frame frame = renderer.render(task->data(), overlay.str());
          if (for_video) video->write(frame);
          if (for_still) still->write(frame);
        });
    // An episode shorter than half the step limit: its last state is the still.
    if (e == 0 && still && still->frames_written() == 0) still->write(renderer.render(task->data()));
    std::cout << "episode " << e << ": return " << std::fixed << std::setprecision(1) << result.ret << ", "
              << result.length << " steps\n";
    episodes.push_back(result);
  }
  if (video) {
    video->close();
    std::cout << "wrote " << args.out << ": " << video->frames_written() << " frames, " << width << "x" << height
              << ", " << fps << " fps, " << video->codec_name() << "; " << summary_line(episodes) << "\n";
  }
  if (still) {
    still->close();
    std::cout << "wrote " << still_path << ": a still of episode 0 (step " << middle_step << " or its end); "
              << summary_line(episodes) << "\n";
  }
  return 0;
}

int render_gridworld(const RenderArgs& args, LoadedRun& run, const EnvFactory& factory, int64_t seed) {
  const auto [width, height] = parse_resolution(args.resolution);
  if (!args.camera.empty()) throw Error("--camera applies to MuJoCo tasks; gridworld runs are drawn from above");
  if (!args.still.empty()) throw Error("--still applies to MuJoCo tasks; for gridworld give --out FILE.png");
  const std::string map = gridworld_ascii_map(run.config.env);
  const int cell = std::max(4, std::min(width, height) / kGridWorldSize / 2 * 2);  // even: yuv420p
  std::vector<std::vector<render::GridCell>> paths;
  std::vector<EpisodeResult> episodes;
  for (int e = 0; e < args.episodes; ++e) {
    std::unique_ptr<Env> env = factory.make();
    Rng rng(mix_seed(static_cast<uint64_t>(seed), 7919 + e));
    paths.emplace_back();
    episodes.push_back(play_episode(*env, factory.spec, run, args.sampling.deterministic, rng,
        [&](int, const float* obs, double) {
          const auto to_cell = [](float o) { return static_cast<int>(std::lround((o + 1.0f) * 12.0f)); };
          paths.back().push_back({to_cell(obs[0]), to_cell(obs[1])});
        }));
    const int o = episodes.back().outcome;
    std::cout << "episode " << e << ": return " << episodes.back().ret << ", " << episodes.back().length
              << " steps, outcome " << (o >= 0 ? factory.spec.outcome_names[o] : "none") << "\n";
  }
  size_t longest = 0;
  for (const auto& p : paths) longest = std::max(longest, p.size());
  const int side = cell * kGridWorldSize;
  render::VideoWriter video(args.out, side, side, args.fps > 0 ? args.fps : 10);
  if (is_still(args.out)) {
    video.write(render::draw_gridworld(map, paths, longest, cell));
  } else {
    for (size_t i = 0; i < longest; ++i) video.write(render::draw_gridworld(map, paths, i, cell));
  }
  video.close();
  std::cout << "wrote " << args.out << ": " << video.frames_written() << " frame(s), " << side << "x" << side << ", "
            << video.codec_name() << "; " << summary_line(episodes) << "\n";
  return 0;
}

int run_render(const RenderArgs& args) {
  const int64_t seed = parse_seed(args.seed, "--seed");
  refuse_run_file(args.out, "--out");
  render::VideoWriter::check_extension(args.out);
  if (!args.still.empty()) {
    refuse_run_file(args.still, "--still");
    if (!is_still(args.still)) throw Error("--still '" + args.still + "' must be a .png file");
  }
  TrainConfig config = load_run_config(args.run);
  if (!args.start.empty()) config.start = args.start;
  const EnvFactory factory = EnvRegistry::global().make(config.env, env_options_from(config));
  const bool gridworld = config.env.rfind("gridworld:", 0) == 0;
  if (!gridworld && !dynamic_cast<dmc::MujocoTask*>(factory.make().get())) {
    throw Error("env '" + config.env + "' has no renderer; fpo render draws the MuJoCo tasks and gridworld");
  }
  LoadedRun run = load_run(args.run, args.device, factory.spec, config, args.checkpoint);
  SamplingOptions sampling = args.sampling;
  sampling.seed = seed;
  std::cout << "render: sampling " << apply_sampling(run, sampling) << "\n";
  torch::NoGradGuard no_grad;
  torch::manual_seed(static_cast<uint64_t>(seed));
  return gridworld ? render_gridworld(args, run, factory, seed) : render_mujoco(args, run, factory, seed);
}

}  // namespace

Runner add_render_command(CLI::App& app) {
  auto args = std::make_shared<RenderArgs>();
  CLI::App* cmd = app.add_subcommand(
      "render", "Roll out a run's policy into a video (.mp4 .mkv .mov .webm .avi) or a .png still; no display needed");
  cmd->add_option("--run", args->run, "run directory written by `fpo train`")->required();
  cmd->add_option("--out", args->out, "output file; its extension picks the format")->required();
  cmd->add_option("--episodes", args->episodes, "episodes, 1 to 100, one after the other")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  cmd->add_option("--seed", args->seed, "seed of the episodes' initial states and sampling noise")->capture_default_str();
  add_checkpoint_option(cmd, args->checkpoint);
  add_sampling_options(cmd, args->sampling);
  cmd->add_option("--camera", args->camera,
                  "MuJoCo: camera name or index, or 'free' (default: the task's first camera, DM Control's view)");
  cmd->add_option("--resolution", args->resolution, "WIDTHxHEIGHT (gridworld: the square that fits)")
      ->capture_default_str();
  cmd->add_option("--fps", args->fps, "frames per second, 1 to 1000 (default: 30 MuJoCo, 10 gridworld)")
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--still", args->still, "MuJoCo: also write the middle step of episode 0 as this .png");
  cmd->add_option("--start", args->start, "gridworld: start every episode from cell X,Y");
  cmd->add_option("--device", args->device, "cpu | cuda | auto")->capture_default_str();
  return [args] { return run_render(*args); };
}

}  // namespace fpo::cli
