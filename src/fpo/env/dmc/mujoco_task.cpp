#include "fpo/env/dmc/mujoco_task.h"

#include <cmath>
#include <cstring>
#include <mutex>
#include <string>

#include "fpo/common/error.h"
#include "fpo/env/dmc/embedded_assets.h"

namespace fpo::dmc {

namespace {

// MuJoCo's default warning handler appends to MUJOCO_LOG.TXT in the working
// directory. We detect instability from the warning counters ourselves, so
// silence the handler (installed once, before any model is used).
void silence_mujoco_warnings() {
  static std::once_flag once;
  std::call_once(once, [] { mju_user_warning = [](const char*) {}; });
}

ModelPtr wrap(mjModel* m) {
  return ModelPtr(m, [](const mjModel* p) { mj_deleteModel(const_cast<mjModel*>(p)); });
}

}  // namespace

ModelPtr load_embedded_model(const std::string& task_name, const std::string& asset_file) {
  silence_mujoco_warnings();
  const EmbeddedAsset* asset = nullptr;
  for (std::size_t i = 0; i < kNumEmbeddedAssets; ++i) {
    if (asset_file == kEmbeddedAssets[i].name) asset = &kEmbeddedAssets[i];
  }
  if (!asset) throw Error("task '" + task_name + "': model file '" + asset_file + "' is not among the embedded assets");
  auto vfs = std::make_unique<mjVFS>();
  mj_defaultVFS(vfs.get());
  if (mj_makeEmptyFileVFS(vfs.get(), asset->name, static_cast<int>(asset->size)) != 0) {
    throw Error("task '" + task_name + "': cannot place model '" + asset_file + "' in MuJoCo's VFS");
  }
  const int index = mj_findFileVFS(vfs.get(), asset->name);
  std::memcpy(vfs->filedata[index], asset->data, asset->size);
  char error[1000] = "";
  mjModel* m = mj_loadXML(asset->name, vfs.get(), error, sizeof(error));
  mj_deleteVFS(vfs.get());
  if (!m) throw Error("task '" + task_name + "': model '" + asset_file + "' failed to load: " + error);
  return wrap(m);
}

ModelPtr load_model_file(const std::string& task_name, const std::string& path) {
  silence_mujoco_warnings();
  char error[1000] = "";
  mjModel* m = mj_loadXML(path.c_str(), nullptr, error, sizeof(error));
  if (!m) throw Error("task '" + task_name + "': model file '" + path + "' failed to load: " + error);
  return wrap(m);
}

MujocoTask::MujocoTask(ModelPtr model, int n_substeps)
    : model_(std::move(model)), data_(mj_makeData(model_.get())), n_substeps_(n_substeps) {
  if (n_substeps < 1) throw Error("n_substeps must be >= 1, got " + std::to_string(n_substeps));
}

MujocoTask::~MujocoTask() { mj_deleteData(data_); }

void MujocoTask::reset(Rng& rng, float* obs) {
  const mjModel* m = model_.get();
  mj_resetData(m, data_);
  initialize_episode(rng);
  // Leave position/velocity-dependent quantities consistent with the state.
  mj_forward(m, data_);
  observe(obs);
}

StepResult MujocoTask::step(const float* action, Rng& rng, float* obs) {
  const mjModel* m = model_.get();
  apply_action(action);
  // mj_step1 has already run for the current state (reset ran mj_forward, the
  // previous step ended with mj_step1), so finish this step with mj_step2, take
  // the remaining substeps, then run mj_step1 so that observations and rewards
  // see kinematics of the new state. Same physics as n calls of mj_step.
  if (m->opt.integrator == mjINT_RK4) {
    // mj_step2 integrates with Euler whatever the model asks for. For RK4
    // models (cartpole, acrobot) finish the first substep as mj_step would
    // after its position/velocity stages: the remaining forward stages, the
    // acceleration check, then the RK4 update.
    mj_forwardSkip(m, data_, mjSTAGE_VEL, 0);
    mj_checkAcc(m, data_);
    mj_RungeKutta(m, data_, 4);
    for (int k = 1; k < n_substeps_; ++k) mj_step(m, data_);
  } else {
    mj_step2(m, data_);
    for (int k = 1; k < n_substeps_; ++k) mj_step(m, data_);
  }
  mj_step1(m, data_);
  after_step(rng);
  StepResult result;
  if (diverged()) {
    result.unstable = true;
    return result;  // VecEnv resets this env; obs is not read
  }
  observe(obs);
  result.reward = static_cast<float>(reward());
  return result;
}

bool MujocoTask::diverged() const {
  if (data_->warning[mjWARN_BADQACC].number > 0 || data_->warning[mjWARN_BADQPOS].number > 0 ||
      data_->warning[mjWARN_BADQVEL].number > 0) {
    return true;
  }
  const mjModel* m = model_.get();
  for (int i = 0; i < m->nq; ++i) if (!std::isfinite(data_->qpos[i])) return true;
  for (int i = 0; i < m->nv; ++i) if (!std::isfinite(data_->qvel[i])) return true;
  return false;
}

void MujocoTask::apply_action(const float* action) {
  const mjModel* m = model_.get();
  for (int i = 0; i < m->nu; ++i) {
    double a = action[i];
    if (m->actuator_ctrllimited[i]) {
      const double lo = m->actuator_ctrlrange[2 * i], hi = m->actuator_ctrlrange[2 * i + 1];
      a = lo + (a + 1.0) * 0.5 * (hi - lo);
    }
    data_->ctrl[i] = a;
  }
}

void MujocoTask::randomize_limited_and_rotational_joints(Rng& rng) {
  const mjModel* m = model_.get();
  for (int j = 0; j < m->njnt; ++j) {
    const int a = m->jnt_qposadr[j];
    if (m->jnt_limited[j]) {
      data_->qpos[a] = uniform(rng, m->jnt_range[2 * j], m->jnt_range[2 * j + 1]);
    } else if (m->jnt_type[j] == mjJNT_HINGE) {
      data_->qpos[a] = uniform(rng, -mjPI, mjPI);
    }
  }
}

namespace {
int require_id(const mjModel* m, mjtObj type, const char* name, const char* what) {
  const int id = mj_name2id(m, type, name);
  if (id < 0) throw Error(std::string("model has no ") + what + " named '" + name + "'");
  return id;
}
}  // namespace

int MujocoTask::body_id(const char* name) const { return require_id(model(), mjOBJ_BODY, name, "body"); }
int MujocoTask::geom_id(const char* name) const { return require_id(model(), mjOBJ_GEOM, name, "geom"); }
int MujocoTask::site_id(const char* name) const { return require_id(model(), mjOBJ_SITE, name, "site"); }
int MujocoTask::joint_id(const char* name) const { return require_id(model(), mjOBJ_JOINT, name, "joint"); }
int MujocoTask::sensor_adr(const char* name) const {
  return model()->sensor_adr[require_id(model(), mjOBJ_SENSOR, name, "sensor")];
}
int MujocoTask::qpos_adr(const char* joint) const { return model()->jnt_qposadr[joint_id(joint)]; }
int MujocoTask::qvel_adr(const char* joint) const { return model()->jnt_dofadr[joint_id(joint)]; }

}  // namespace fpo::dmc
