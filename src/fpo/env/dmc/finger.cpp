// DeepMind Control Suite "finger" domain: finger_spin, finger_turn_easy,
// finger_turn_hard. A two-link finger (2 motors) acts on a free spinner.
// spin: reward 1 while the spinner turns at <= -15 rad/s about its hinge.
// turn: reward 1 while the spinner's tip is inside a target sphere (radius
// 0.07 easy, 0.03 hard) placed at a random angle on the tip's circle.
#include <algorithm>
#include <cmath>
#include <memory>
#include <string>

#include "fpo/common/error.h"
#include "fpo/env/dmc/mujoco_task.h"
#include "fpo/env/registry.h"

namespace fpo::dmc {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr int kNSubsteps = 2;                // 0.02 s control step / 0.01 s physics step
constexpr double kSpinVelocity = 15.0;       // rad/s; spinning means hinge velocity <= -this
constexpr double kSpinHingeDamping = 0.03;   // spin lowers the spinner's damping from 0.5
constexpr double kEasyTargetRadius = 0.07;
constexpr double kHardTargetRadius = 0.03;
constexpr int kMaxPoseAttempts = 1000;
constexpr int kSpinObsDim = 9;               // finger angles 2, tip xz 2, velocities 3, touch 2
constexpr int kTurnObsDim = 12;              // + target xz 2, signed distance to target 1
constexpr int kActDim = 2;

// Sensor addresses shared by both tasks.
struct FingerSensors {
  int proximal, distal, proximal_vel, distal_vel, hinge_vel, tip, target, spinner, touchtop, touchbottom;
};

class FingerTask : public MujocoTask {
 public:
  explicit FingerTask(ModelPtr model) : MujocoTask(std::move(model), kNSubsteps) {
    s_ = {sensor_adr("proximal"), sensor_adr("distal"),  sensor_adr("proximal_velocity"),
          sensor_adr("distal_velocity"), sensor_adr("hinge_velocity"), sensor_adr("tip"),
          sensor_adr("target"), sensor_adr("spinner"), sensor_adr("touchtop"), sensor_adr("touchbottom")};
  }

 protected:
  // Random finger angles within limits and a random spinner angle, redrawn
  // until nothing touches (as the suite does).
  void set_random_collision_free_pose(Rng& rng) {
    const mjModel* m = model();
    mjData* d = data();
    for (int attempt = 0; attempt < kMaxPoseAttempts; ++attempt) {
      for (int j = 0; j < m->njnt; ++j) {
        const int a = m->jnt_qposadr[j];
        if (m->jnt_limited[j]) {
          d->qpos[a] = uniform(rng, m->jnt_range[2 * j], m->jnt_range[2 * j + 1]);
        } else {
          d->qpos[a] = uniform(rng, -kPi, kPi);
        }
      }
      mj_forward(m, d);
      if (d->ncon == 0) return;
    }
    throw Error("finger: no collision-free initial pose found in " + std::to_string(kMaxPoseAttempts) + " attempts");
  }

  // Spin and turn share the first 9 observations.
  void observe_common(float* obs) const {
    const double* s = data()->sensordata;
    obs[0] = static_cast<float>(s[s_.proximal]);
    obs[1] = static_cast<float>(s[s_.distal]);
    obs[2] = static_cast<float>(s[s_.tip] - s[s_.spinner]);          // tip x relative to the hinge
    obs[3] = static_cast<float>(s[s_.tip + 2] - s[s_.spinner + 2]);  // tip z
    obs[4] = static_cast<float>(s[s_.proximal_vel]);
    obs[5] = static_cast<float>(s[s_.distal_vel]);
    obs[6] = static_cast<float>(s[s_.hinge_vel]);
    // Touch forces are log-scaled: they span orders of magnitude.
    obs[7] = static_cast<float>(std::log1p(s[s_.touchtop]));
    obs[8] = static_cast<float>(std::log1p(s[s_.touchbottom]));
  }

  FingerSensors s_;
};

class FingerSpin final : public FingerTask {
 public:
  using FingerTask::FingerTask;

 protected:
  void initialize_episode(Rng& rng) override { set_random_collision_free_pose(rng); }
  void observe(float* obs) const override { observe_common(obs); }
  double reward() const override { return data()->sensordata[s_.hinge_vel] <= -kSpinVelocity ? 1.0 : 0.0; }
};

class FingerTurn final : public FingerTask {
 public:
  FingerTurn(ModelPtr model, double target_radius)
      : FingerTask(std::move(model)),
        target_radius_(target_radius),
        target_mocap_(model_mocap_id("target")),
        hinge_(joint_id("hinge")),
        cap1_(geom_id("cap1")) {}

 protected:
  void initialize_episode(Rng& rng) override {
    const mjModel* m = model();
    mjData* d = data();
    // Target on the circle swept by the spinner's tip, at a random angle.
    const double angle = uniform(rng, -kPi, kPi);
    mj_kinematics(m, d);  // for the hinge's anchor
    const double radius = m->geom_size[3 * cap1_] + m->geom_size[3 * cap1_ + 1];
    double* target = d->mocap_pos + 3 * target_mocap_;
    target[0] = d->xanchor[3 * hinge_] + radius * std::sin(angle);
    target[2] = d->xanchor[3 * hinge_ + 2] + radius * std::cos(angle);
    set_random_collision_free_pose(rng);
  }

  void observe(float* obs) const override {
    observe_common(obs);
    const double* s = data()->sensordata;
    obs[9] = static_cast<float>(s[s_.target] - s[s_.spinner]);
    obs[10] = static_cast<float>(s[s_.target + 2] - s[s_.spinner + 2]);
    obs[11] = static_cast<float>(distance_to_target());
  }

  double reward() const override { return distance_to_target() <= 0.0 ? 1.0 : 0.0; }

 private:
  // Signed distance from the tip to the target's surface; negative inside.
  double distance_to_target() const {
    const double* s = data()->sensordata;
    const double dx = s[s_.target] - s[s_.tip];
    const double dz = s[s_.target + 2] - s[s_.tip + 2];
    return std::sqrt(dx * dx + dz * dz) - target_radius_;
  }

  int model_mocap_id(const char* body) const {
    const int id = model()->body_mocapid[body_id(body)];
    if (id < 0) throw Error(std::string("finger.xml: body '") + body + "' must be a mocap body");
    return id;
  }

  double target_radius_;
  int target_mocap_, hinge_, cap1_;
};

ModelPtr load_finger(const std::string& task) {
  ModelPtr model = load_embedded_model(task, "finger.xml");
  if (model->nu != kActDim) throw Error("finger.xml: expected 2 actuators, got " + std::to_string(model->nu));
  return model;
}

// Task-wide model changes are made once, on the freshly loaded model, before
// any instance shares it (hence the const_cast).
mjModel* unshared(const ModelPtr& model) { return const_cast<mjModel*>(model.get()); }

EnvSpec finger_spec(const std::string& name, int obs_dim, const std::string& summary, const mjModel* m) {
  EnvSpec spec;
  spec.name = name;
  spec.obs_dim = obs_dim;
  spec.act_dim = kActDim;
  spec.control_dt = control_dt(m, kNSubsteps);
  spec.max_episode_steps = 1000;
  spec.reward_summary = summary;
  return spec;
}

// Flicks the spinner: the proximal joint swings back and forth between two
// angles (at full torque, keeping its current direction in between), while
// the distal joint is held bent one way on the up-stroke and the other way on
// the down-stroke, so the fingertip catches the spinner on one stroke only.
// The angles were tuned by a small grid search (mean return ~530 of 1000).
void spin_controller(const float* obs, float* action) {
  constexpr float kUpperTurn = 0.65f, kLowerTurn = 0.1f;  // proximal angles, rad
  constexpr float kDistalUp = -1.0f, kDistalDown = 0.4f;  // distal targets, rad
  constexpr float kKp = 5.0f, kKd = 0.1f;
  const float proximal = obs[0], distal = obs[1], proximal_vel = obs[4], distal_vel = obs[5];
  const bool up = proximal > kUpperTurn ? false : (proximal < kLowerTurn ? true : proximal_vel > 0.0f);
  action[0] = up ? 1.0f : -1.0f;
  const float target = up ? kDistalUp : kDistalDown;
  action[1] = std::clamp(kKp * (target - distal) - kKd * distal_vel, -1.0f, 1.0f);
}

EnvFactory make_finger_spin() {
  ModelPtr model = load_finger("finger_spin");
  mjModel* m = unshared(model);
  m->dof_damping[m->jnt_dofadr[mj_name2id(m, mjOBJ_JOINT, "hinge")]] = kSpinHingeDamping;
  EnvFactory f;
  f.spec = finger_spec("finger_spin", kSpinObsDim, "1 while the spinner turns at <= -15 rad/s, else 0", m);
  f.make = [model] { return std::make_unique<FingerSpin>(model); };
  f.scripted = spin_controller;
  return f;
}

EnvFactory make_finger_turn(const std::string& name, double target_radius, const char* radius_text) {
  ModelPtr model = load_finger(name);
  mjModel* m = unshared(model);
  m->site_size[3 * mj_name2id(m, mjOBJ_SITE, "target")] = target_radius;  // for viewers; reward uses target_radius
  EnvFactory f;
  f.spec = finger_spec(name, kTurnObsDim,
                       std::string("1 while the spinner's tip is inside the target sphere (radius ") + radius_text +
                           "), else 0",
                       m);
  f.make = [model, target_radius] { return std::make_unique<FingerTurn>(model, target_radius); };
  return f;
}

}  // namespace

void register_finger(EnvRegistry& registry) {
  registry.add("finger_spin", [](const EnvOptions&) { return make_finger_spin(); });
  registry.add("finger_turn_easy",
               [](const EnvOptions&) { return make_finger_turn("finger_turn_easy", kEasyTargetRadius, "0.07"); });
  registry.add("finger_turn_hard",
               [](const EnvOptions&) { return make_finger_turn("finger_turn_hard", kHardTargetRadius, "0.03"); });
}

}  // namespace fpo::dmc
