#include "fpo/render/mujoco_renderer.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "fpo/common/error.h"

namespace fpo::render {
namespace {

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

}  // namespace

std::string camera_names(const mjModel* model) {
  std::string names;
  for (int i = 0; i < model->ncam; ++i) {
    const char* name = mj_id2name(model, mjOBJ_CAMERA, i);
    names += (i ? ", " : "") + std::to_string(i) + (name ? std::string(" '") + name + "'" : std::string());
  }
  return names.empty() ? "none" : names;
}

MujocoRenderer::MujocoRenderer(const mjModel* model, int width, int height, const std::string& camera)
    : width_(width), height_(height) {
  if (width < 1 || height < 1) throw Error("frame size must be positive, got " + std::to_string(width) + "x" +
                                           std::to_string(height));
  mjv_defaultCamera(&camera_);
  int camera_id = -1;
  if (camera.empty()) {
    camera_id = model->ncam > 0 ? 0 : -1;
  } else if (camera != "free") {
    camera_id = all_digits(camera) && camera.size() < 6 ? std::stoi(camera) : mj_name2id(model, mjOBJ_CAMERA, camera.c_str());
    if (camera_id < 0 || camera_id >= model->ncam) {
      throw Error("unknown camera '" + camera + "' for model '" + std::string(model->names) +
                  "'; allowed: free, or one of the model's cameras by name or index: " + camera_names(model));
    }
  }
  if (camera_id >= 0) {
    camera_.type = mjCAMERA_FIXED;
    camera_.fixedcamid = camera_id;
    const char* name = mj_id2name(model, mjOBJ_CAMERA, camera_id);
    camera_description_ = "camera " + std::to_string(camera_id) + (name ? std::string(" '") + name + "'" : "");
  } else {
    mjv_defaultFreeCamera(model, &camera_);
    camera_description_ = "free camera";
  }

  // mjr_makeContext sizes the offscreen buffer from the model's visual settings.
  model_ = mj_copyModel(nullptr, model);
  if (!model_) throw Error("cannot copy the MuJoCo model for rendering");
  model_->vis.global.offwidth = width;
  model_->vis.global.offheight = height;
  mjv_defaultOption(&option_);
  mjv_defaultScene(&scene_);
  mjr_defaultContext(&context_);
  mjv_makeScene(model_, &scene_, 2000);
  // Overlay text about 1/25 of the frame height.
  const int font_scale = height <= 300 ? mjFONTSCALE_100 : height <= 720 ? mjFONTSCALE_150 : mjFONTSCALE_200;
  mjr_makeContext(model_, &context_, font_scale);
  mjr_setBuffer(mjFB_OFFSCREEN, &context_);
  if (context_.currentBuffer != mjFB_OFFSCREEN || context_.offWidth < width || context_.offHeight < height) {
    mjr_freeContext(&context_);
    mjv_freeScene(&scene_);
    mj_deleteModel(model_);
    throw Error("the OpenGL context cannot hold a " + std::to_string(width) + "x" + std::to_string(height) +
                " offscreen frame");
  }
}

MujocoRenderer::~MujocoRenderer() {
  mjr_freeContext(&context_);
  mjv_freeScene(&scene_);
  mj_deleteModel(model_);
}

Frame MujocoRenderer::render(const mjData* data, const std::string& overlay) {
  mjv_updateScene(model_, const_cast<mjData*>(data), &option_, nullptr, &camera_, mjCAT_ALL, &scene_);
  const mjrRect viewport = {0, 0, width_, height_};
  mjr_render(viewport, &scene_, &context_);
  if (!overlay.empty()) mjr_overlay(mjFONT_NORMAL, mjGRID_TOPLEFT, viewport, overlay.c_str(), nullptr, &context_);
  Frame frame(width_, height_);
  std::vector<uint8_t> bottom_up(frame.rgb.size());
  mjr_readPixels(bottom_up.data(), nullptr, viewport, &context_);
  const size_t row = static_cast<size_t>(width_) * 3;
  for (int y = 0; y < height_; ++y) std::memcpy(frame.pixel(0, y), &bottom_up[(height_ - 1 - y) * row], row);
  return frame;
}

}  // namespace fpo::render
