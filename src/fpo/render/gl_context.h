#pragma once
// A headless OpenGL context for MuJoCo's renderer: EGL on Mesa's surfaceless
// platform with a small pbuffer surface. It needs no display or X server;
// MuJoCo draws into its own offscreen framebuffer, so the pbuffer's size does
// not limit the frame.
#include <string>

namespace fpo::render {

class HeadlessGlContext {
 public:
  // Creates the context and makes it current on the calling thread; throws
  // fpo::Error with EGL's error code and what to install when it cannot.
  HeadlessGlContext();
  ~HeadlessGlContext();
  HeadlessGlContext(const HeadlessGlContext&) = delete;
  HeadlessGlContext& operator=(const HeadlessGlContext&) = delete;

  // "Mesa llvmpipe ..." or the GPU's name: for logs and reports.
  std::string renderer_name() const;

 private:
  void create();
  void release();
  void* display_ = nullptr;
  void* surface_ = nullptr;
  void* context_ = nullptr;
};

}  // namespace fpo::render
