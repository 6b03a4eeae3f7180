#pragma once
// Base class of the DeepMind-Control-style tasks: one mjData per instance over
// a model shared by all instances of the task. It owns the step loop
// (action -> ctrl, n_substeps physics steps, instability check); a task
// supplies the initial state, the observation and the reward.
#include <mujoco/mujoco.h>

#include <memory>
#include <string>

#include "fpo/env/env.h"

namespace fpo::dmc {

using ModelPtr = std::shared_ptr<const mjModel>;

// Loads an MJCF model compiled into the binary (assets/dmc/<file>).
// Throws fpo::Error naming the task and MuJoCo's message on failure.
ModelPtr load_embedded_model(const std::string& task_name, const std::string& asset_file);
// Loads an MJCF model from a file on disk (same error contract).
ModelPtr load_model_file(const std::string& task_name, const std::string& path);

class MujocoTask : public Env {
 public:
  MujocoTask(ModelPtr model, int n_substeps);
  ~MujocoTask() override;
  MujocoTask(const MujocoTask&) = delete;
  MujocoTask& operator=(const MujocoTask&) = delete;

  void reset(Rng& rng, float* obs) final;
  StepResult step(const float* action, Rng& rng, float* obs) final;

  const mjModel* model() const { return model_.get(); }
  mjData* data() { return data_; }
  const mjData* data() const { return data_; }
  // Physics steps a reset takes beyond mj_resetData (e.g. letting a random
  // pose settle); benchmarks add them to the raw loop so both do equal work.
  virtual int reset_physics_steps() const { return 0; }

 protected:
  // Sets the initial state; data() has just been reset to the model's defaults.
  virtual void initialize_episode(Rng& rng) = 0;
  virtual void observe(float* obs) const = 0;
  virtual double reward() const = 0;
  // Maps the action in [-1, 1] to ctrl; default: linear onto each actuator's ctrlrange.
  virtual void apply_action(const float* action);
  // Called after the physics steps (e.g. tasks that move a target).
  virtual void after_step(Rng& /*rng*/) {}

  // Helpers for tasks.
  // DMC's usual random pose: limited joints uniform in their range, unlimited
  // hinges uniform in [-pi, pi]; other joints keep their values.
  void randomize_limited_and_rotational_joints(Rng& rng);
  int body_id(const char* name) const;
  int geom_id(const char* name) const;
  int site_id(const char* name) const;
  int joint_id(const char* name) const;
  int sensor_adr(const char* name) const;  // first index into sensordata
  int qpos_adr(const char* joint) const;
  int qvel_adr(const char* joint) const;

 private:
  bool diverged() const;

  ModelPtr model_;
  mjData* data_;
  int n_substeps_;
};

// Time per env step of a task: model timestep * n_substeps.
inline double control_dt(const mjModel* m, int n_substeps) { return m->opt.timestep * n_substeps; }

}  // namespace fpo::dmc
