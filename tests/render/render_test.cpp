// The renderer draws the task (a non-blank frame of the asked size that
// follows the state), the video writer produces files FFmpeg reads back with
// the frames written, and failures leave no file behind.
#include <gtest/gtest.h>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
}

#include <cmath>
#include <filesystem>
#include <memory>

#include "fpo/common/error.h"
#include "fpo/env/dmc/mujoco_task.h"
#include "fpo/env/gridworld.h"
#include "fpo/env/registry.h"
#include "fpo/render/gl_context.h"
#include "fpo/render/gridworld_frame.h"
#include "fpo/render/mujoco_renderer.h"
#include "fpo/render/video_writer.h"

namespace fpo::render {
namespace {

namespace fs = std::filesystem;

struct PixelStats {
  double mean = 0, stddev = 0;
};

PixelStats stats(const Frame& f) {
  PixelStats s;
  for (uint8_t v : f.rgb) s.mean += v;
  s.mean /= f.rgb.size();
  for (uint8_t v : f.rgb) s.stddev += (v - s.mean) * (v - s.mean);
  s.stddev = std::sqrt(s.stddev / f.rgb.size());
  return s;
}

double mean_abs_difference(const Frame& a, const Frame& b) {
  double d = 0;
  for (size_t i = 0; i < a.rgb.size(); ++i) d += std::abs(a.rgb[i] - b.rgb[i]);
  return d / a.rgb.size();
}

// What FFmpeg reads back from a file: size of the first video stream and the frame count.
struct Decoded {
  int width = 0, height = 0, frames = 0;
  std::string codec;
};

Decoded decode(const std::string& path) {
  Decoded out;
  AVFormatContext* format = nullptr;
  if (avformat_open_input(&format, path.c_str(), nullptr, nullptr) < 0) return out;
  avformat_find_stream_info(format, nullptr);
  const int stream = av_find_best_stream(format, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  if (stream >= 0) {
    const AVCodecParameters* par = format->streams[stream]->codecpar;
    const AVCodec* codec = avcodec_find_decoder(par->codec_id);
    AVCodecContext* ctx = avcodec_alloc_context3(codec);
    avcodec_parameters_to_context(ctx, par);
    avcodec_open2(ctx, codec, nullptr);
    out.codec = codec->name;
    AVPacket* packet = av_packet_alloc();
    AVFrame* frame = av_frame_alloc();
    auto drain = [&] {
      while (avcodec_receive_frame(ctx, frame) == 0) {
        out.width = frame->width;
        out.height = frame->height;
        ++out.frames;
      }
    };
    while (av_read_frame(format, packet) >= 0) {
      if (packet->stream_index == stream) {
        while (avcodec_send_packet(ctx, packet) == AVERROR(EAGAIN)) drain();
        drain();
      }
      av_packet_unref(packet);
    }
    avcodec_send_packet(ctx, nullptr);
    drain();
    av_frame_free(&frame);
    av_packet_free(&packet);
    avcodec_free_context(&ctx);
  }
  avformat_close_input(&format);
  return out;
}

class TempDir {
 public:
  TempDir() : path_(fs::temp_directory_path() / ("fpo_render_test_" + std::to_string(::getpid()))) {
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  size_t entries() const { return std::distance(fs::directory_iterator(path_), fs::directory_iterator()); }

 private:
  fs::path path_;
};

Frame gradient_frame(int w, int h, int shift) {
  Frame f(w, h);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      uint8_t* p = f.pixel(x, y);
      p[0] = static_cast<uint8_t>((x + shift) * 255 / w);
      p[1] = static_cast<uint8_t>(y * 255 / h);
      p[2] = 128;
    }
  }
  return f;
}

// One instance of a MuJoCo task, just reset.
struct ResetTask {
  EnvFactory factory;
  std::unique_ptr<Env> env;
  dmc::MujocoTask* task;
  Rng rng;
  std::vector<float> obs;

  ResetTask(const std::string& name, uint64_t seed)
      : factory(EnvRegistry::global().make(name)), env(factory.make()),
        task(dynamic_cast<dmc::MujocoTask*>(env.get())), rng(seed), obs(factory.spec.obs_dim) {
    env->reset(rng, obs.data());
  }
};

TEST(MujocoRenderer, DrawsCartpoleFromItsCameraAndFollowsTheState) {
  ResetTask cartpole("cartpole_balance", 3);
  auto* task = cartpole.task;
  ASSERT_NE(task, nullptr);

  HeadlessGlContext gl;
  MujocoRenderer renderer(task->model(), 320, 240, "");
  EXPECT_NE(renderer.camera_description().find("camera 0"), std::string::npos) << renderer.camera_description();
  const Frame first = renderer.render(task->data());
  ASSERT_EQ(first.width, 320);
  ASSERT_EQ(first.height, 240);
  ASSERT_EQ(first.rgb.size(), 320u * 240u * 3u);
  const PixelStats s = stats(first);
  // Not blank: a lit scene has a spread of intensities, not one colour.
  EXPECT_GT(s.stddev, 10.0) << "mean " << s.mean;
  EXPECT_GT(s.mean, 10.0);
  EXPECT_LT(s.mean, 245.0);
  // The same state draws the same frame.
  EXPECT_EQ(mean_abs_difference(first, renderer.render(task->data())), 0.0);
  // Pushing the cart for a second moves it in the picture.
  const float push = 1.0f;
  for (int i = 0; i < 100; ++i) cartpole.env->step(&push, cartpole.rng, cartpole.obs.data());
  EXPECT_GT(mean_abs_difference(first, renderer.render(task->data())), 0.5);
}

TEST(MujocoRenderer, FreeCameraAndUnknownCameras) {
  ResetTask cheetah("cheetah_run", 1);
  auto* task = cheetah.task;
  ASSERT_NE(task, nullptr);
  HeadlessGlContext gl;
  MujocoRenderer free_camera(task->model(), 160, 120, "free");
  EXPECT_EQ(free_camera.camera_description(), "free camera");
  EXPECT_GT(stats(free_camera.render(task->data())).stddev, 10.0);
  try {
    MujocoRenderer bad(task->model(), 160, 120, "no_such_camera");
    FAIL() << "an unknown camera was accepted";
  } catch (const Error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("no_such_camera"), std::string::npos) << what;
    EXPECT_NE(what.find("allowed: free"), std::string::npos) << what;
  }
  EXPECT_THROW(MujocoRenderer(task->model(), 160, 120, "99"), Error);
}

TEST(VideoWriter, Mp4HoldsTheFramesWrittenAtTheirSize) {
  TempDir dir;
  const std::string path = dir.file("clip.mp4");
  VideoWriter video(path, 96, 64, 25);
  for (int i = 0; i < 40; ++i) video.write(gradient_frame(96, 64, i));
  EXPECT_FALSE(fs::exists(path)) << "the video appears only when complete";
  video.close();
  const Decoded d = decode(path);
  EXPECT_EQ(d.frames, 40);
  EXPECT_EQ(d.width, 96);
  EXPECT_EQ(d.height, 64);
  EXPECT_EQ(d.codec, "h264");
  EXPECT_EQ(dir.entries(), 1u) << "no temporary file left";
}

TEST(VideoWriter, PngIsOneStill) {
  TempDir dir;
  const std::string path = dir.file("still.png");
  VideoWriter still(path, 50, 30, 1);
  still.write(gradient_frame(50, 30, 0));
  still.close();
  const Decoded d = decode(path);
  EXPECT_EQ(d.frames, 1);
  EXPECT_EQ(d.width, 50);
  EXPECT_EQ(d.height, 30);
  EXPECT_EQ(d.codec, "png");
}

TEST(VideoWriter, FailuresLeaveNothingBehind) {
  TempDir dir;
  {
    VideoWriter abandoned(dir.file("abandoned.mp4"), 32, 32, 10);
    abandoned.write(gradient_frame(32, 32, 0));
  }  // destroyed without close(): an interrupted render
  EXPECT_EQ(dir.entries(), 0u);
  EXPECT_THROW(VideoWriter(dir.file("clip.gif"), 32, 32, 10), Error);
  EXPECT_THROW(VideoWriter(dir.file("odd.mp4"), 33, 32, 10), Error);
  EXPECT_THROW(VideoWriter(dir.file("clip.mp4"), 32, 32, 0), Error);
  EXPECT_THROW(VideoWriter(dir.file("missing/dir/clip.mp4"), 32, 32, 10), Error);
  VideoWriter video(dir.file("clip.mp4"), 32, 32, 10);
  EXPECT_THROW(video.write(gradient_frame(16, 16, 0)), Error);
  EXPECT_THROW(video.close(), Error) << "a video without frames";
  EXPECT_EQ(dir.entries(), 1u);  // only video's temporary file, removed when it goes
}

TEST(GridworldFrame, CellsAndPathEndsHaveTheirColours) {
  const std::string map = gridworld_ascii_map("two_walls");
  const int px = 8;
  // One path from the centre two cells right.
  const std::vector<std::vector<GridCell>> paths = {{{12, 12}, {13, 12}, {14, 12}}};
  Frame f = draw_gridworld(map, paths, 10, px);
  ASSERT_EQ(f.width, kGridWorldSize * px);
  ASSERT_EQ(f.height, kGridWorldSize * px);
  // Row r of the map (top first) is cell y = 24 - r; find a goal, a wall and a free cell in it.
  std::vector<std::string> rows;
  for (size_t start = 0, end; (end = map.find('\n', start)) != std::string::npos; start = end + 1) {
    rows.push_back(map.substr(start, end - start));
  }
  auto centre_of = [&](char c) -> const uint8_t* {
    for (int r = 0; r < kGridWorldSize; ++r) {
      for (int x = 0; x < kGridWorldSize; ++x) {
        if (rows[r][x] == c && !(x >= 11 && x <= 15 && r >= 11 && r <= 13)) return f.pixel(x * px + px / 2, r * px + px / 2);
      }
    }
    return nullptr;
  };
  const uint8_t* goal = centre_of('G');
  const uint8_t* free_cell = centre_of('.');
  ASSERT_NE(goal, nullptr);
  ASSERT_NE(free_cell, nullptr);
  EXPECT_GT(goal[1], goal[0] + 40) << "goal cells are green";
  EXPECT_GT(free_cell[0], 230);
  EXPECT_GT(free_cell[1], 230);
  // The agent's square sits on the path's last cell (14, 12), darker than a free cell.
  const uint8_t* agent = f.pixel(14 * px + px / 2, (kGridWorldSize - 1 - 12) * px + px / 2);
  EXPECT_LT(int(agent[0]) + agent[1] + agent[2], 3 * 230);
  // Drawn only up to step 0: the agent is at the start, the end cell is free.
  Frame start = draw_gridworld(map, paths, 0, px);
  const uint8_t* end_cell = start.pixel(14 * px + px / 2, (kGridWorldSize - 1 - 12) * px + px / 2);
  EXPECT_GT(end_cell[0], 230);
}

}  // namespace
}  // namespace fpo::render
