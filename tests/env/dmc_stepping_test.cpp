// MujocoTask::step splits MuJoCo's step into stages to avoid recomputing the
// new state's kinematics (and, for RK4 models, finishes the first substep by
// hand). This checks, for every DeepMind Control task, that the result is
// what plain mj_step calls with the same controls give (to rounding: fish
// drifts by an ulp), and that the kinematics observations are read from belong
// to the new state.
#include <gtest/gtest.h>
#include <mujoco/mujoco.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "dmc_names.h"
#include "fpo/env/dmc/mujoco_task.h"
#include "fpo/env/registry.h"

namespace fpo {
namespace {

class DmcStepping : public ::testing::TestWithParam<std::string> {};

TEST_P(DmcStepping, EqualsPlainMjStepCalls) {
  const EnvFactory factory = EnvRegistry::global().make(GetParam());
  auto env = factory.make();
  auto* task = dynamic_cast<dmc::MujocoTask*>(env.get());
  ASSERT_NE(task, nullptr);
  const mjModel* m = task->model();
  const int substeps = static_cast<int>(std::lround(factory.spec.control_dt / m->opt.timestep));
  ASSERT_GE(substeps, 1);

  Rng rng(5);
  std::vector<float> obs(factory.spec.obs_dim), action(factory.spec.act_dim);
  env->reset(rng, obs.data());
  mjData* mirror = mj_makeData(m);
  mj_copyData(mirror, m, task->data());
  std::mt19937 gen(11);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  for (int step = 0; step < 40; ++step) {
    for (float& a : action) a = u(gen);
    ASSERT_FALSE(env->step(action.data(), rng, obs.data()).unstable);
    const mjData* d = task->data();
    for (int i = 0; i < m->nu; ++i) mirror->ctrl[i] = d->ctrl[i];
    for (int k = 0; k < substeps; ++k) mj_step(m, mirror);
    for (int i = 0; i < m->nq; ++i) ASSERT_NEAR(d->qpos[i], mirror->qpos[i], 1e-9) << "qpos " << i << " at step " << step;
    for (int i = 0; i < m->nv; ++i) ASSERT_NEAR(d->qvel[i], mirror->qvel[i], 1e-9) << "qvel " << i << " at step " << step;
    ASSERT_EQ(d->time, mirror->time);
  }
  // Body poses the task observes are those of the final state.
  mjData* fresh = mj_makeData(m);
  mj_copyData(fresh, m, mirror);
  mj_forward(m, fresh);
  for (int i = 0; i < 9 * m->nbody; ++i) EXPECT_NEAR(task->data()->xmat[i], fresh->xmat[i], 1e-12) << "xmat " << i;
  for (int i = 0; i < 3 * m->nbody; ++i) EXPECT_NEAR(task->data()->xpos[i], fresh->xpos[i], 1e-12) << "xpos " << i;
  mj_deleteData(fresh);
  mj_deleteData(mirror);
}

INSTANTIATE_TEST_SUITE_P(AllTasks, DmcStepping, ::testing::ValuesIn(testing::dmc_env_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace fpo
