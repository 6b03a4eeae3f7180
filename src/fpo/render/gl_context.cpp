#include "fpo/render/gl_context.h"

#include <EGL/egl.h>
#include <EGL/eglext.h>
#include <GL/gl.h>

#include <cstdio>

#include "fpo/common/error.h"

namespace fpo::render {
namespace {

[[noreturn]] void fail(const std::string& what) {
  char code[16];
  std::snprintf(code, sizeof code, "0x%04x", eglGetError());
  throw Error("headless OpenGL: " + what + " (EGL error " + code +
              "); rendering needs Mesa's EGL (apt-get install libegl-mesa0 libgl1-mesa-dri) or a GPU driver's");
}

// The surfaceless platform works without any display; fall back to the
// default display for EGL implementations without it (e.g. NVIDIA's).
EGLDisplay open_display() {
  auto get_platform_display =
      reinterpret_cast<PFNEGLGETPLATFORMDISPLAYEXTPROC>(eglGetProcAddress("eglGetPlatformDisplayEXT"));
  if (get_platform_display) {
    EGLDisplay d = get_platform_display(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, nullptr);
    if (d != EGL_NO_DISPLAY && eglInitialize(d, nullptr, nullptr)) return d;
  }
  EGLDisplay d = eglGetDisplay(EGL_DEFAULT_DISPLAY);
  if (d == EGL_NO_DISPLAY || !eglInitialize(d, nullptr, nullptr)) fail("no EGL display could be initialised");
  return d;
}

}  // namespace

HeadlessGlContext::HeadlessGlContext() {
  try {
    create();
  } catch (...) {
    release();
    throw;
  }
}

void HeadlessGlContext::create() {
  EGLDisplay display = open_display();
  display_ = display;
  const EGLint config_attribs[] = {EGL_SURFACE_TYPE, EGL_PBUFFER_BIT, EGL_RENDERABLE_TYPE, EGL_OPENGL_BIT,
                                   EGL_RED_SIZE, 8, EGL_GREEN_SIZE, 8, EGL_BLUE_SIZE, 8, EGL_ALPHA_SIZE, 8,
                                   EGL_DEPTH_SIZE, 24, EGL_STENCIL_SIZE, 8, EGL_NONE};
  EGLConfig config;
  EGLint n = 0;
  if (!eglChooseConfig(display, config_attribs, &config, 1, &n) || n < 1) fail("no RGBA8 + depth24 pbuffer config");
  const EGLint surface_attribs[] = {EGL_WIDTH, 16, EGL_HEIGHT, 16, EGL_NONE};
  surface_ = eglCreatePbufferSurface(display, config, surface_attribs);
  if (surface_ == EGL_NO_SURFACE) fail("cannot create a pbuffer surface");
  if (!eglBindAPI(EGL_OPENGL_API)) fail("desktop OpenGL is not available through EGL");
  context_ = eglCreateContext(display, config, EGL_NO_CONTEXT, nullptr);
  if (context_ == EGL_NO_CONTEXT) fail("cannot create an OpenGL context");
  if (!eglMakeCurrent(display, surface_, surface_, context_)) fail("cannot make the OpenGL context current");
}

HeadlessGlContext::~HeadlessGlContext() { release(); }

void HeadlessGlContext::release() {
  if (!display_) return;
  eglMakeCurrent(display_, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
  if (context_) eglDestroyContext(display_, context_);
  if (surface_) eglDestroySurface(display_, surface_);
  eglTerminate(display_);
  display_ = surface_ = context_ = nullptr;
}

std::string HeadlessGlContext::renderer_name() const {
  const auto* name = reinterpret_cast<const char*>(glGetString(GL_RENDERER));
  return name ? name : "unknown";
}

}  // namespace fpo::render
