#pragma once
// Renders MuJoCo states offscreen from one camera into RGB frames. Needs a
// current OpenGL context (HeadlessGlContext) for its whole life.
#include <mujoco/mujoco.h>

#include <string>

#include "fpo/render/frame.h"

namespace fpo::render {

class MujocoRenderer {
 public:
  // camera: a camera name of the model, its index, "free" (MuJoCo's default
  // free camera, looking at the whole model), or "" for the model's first
  // camera if it has one (DM Control's default view) and "free" otherwise.
  // Throws fpo::Error naming the allowed cameras for an unknown one.
  MujocoRenderer(const mjModel* model, int width, int height, const std::string& camera);
  ~MujocoRenderer();
  MujocoRenderer(const MujocoRenderer&) = delete;
  MujocoRenderer& operator=(const MujocoRenderer&) = delete;

  // The state in `data` (of the model given to the constructor) as seen by the camera.
  // overlay: text drawn in the top-left corner ("" for none).
  Frame render(const mjData* data, const std::string& overlay = "");
  // "fixed camera 'side' (0)" or "free camera".
  const std::string& camera_description() const { return camera_description_; }

 private:
  mjModel* model_;  // a copy, with the offscreen buffer sized to the frame
  mjvScene scene_;
  mjrContext context_;
  mjvCamera camera_;
  mjvOption option_;
  std::string camera_description_;
  int width_, height_;
};

// The model's camera names in index order ("" for unnamed ones).
std::string camera_names(const mjModel* model);

}  // namespace fpo::render
