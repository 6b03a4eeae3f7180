// How well does FPO's KL proxy track the policy's drift? A measuring tool
// (docs/stability.md), not part of the product.
//
//   fpo_ratio_drift RUN_DIR CHECKPOINT [EPOCHS] [PAIRS]
//
// Loads a flow-policy run at CHECKPOINT, collects one rollout with the run's
// settings, then trains on it one epoch at a time with the run's own update
// (PpoUpdate). After each epoch it prints, over the whole rollout, the KL
// proxy mean((r - 1) - log r) that training sees (r from the stored
// flow.n_mc pairs), the same proxy from PAIRS fresh pairs drawn at rollout
// time (default 256: a far less noisy ELBO difference), and the clip
// fraction of each. After the last epoch it prints, for ten bins of t, the
// mean |l_old - l_new| of the fresh pairs: where in the flow's time the CFM
// loss moves (the fresh pairs are always uniform in t, so every bin is seen),
// and the signed rise l_new - l_old split by the sign of the rollout's
// advantages: which side of the surrogate moves the loss where.
#include <cmath>
#include <cstdio>
#include <string>

#include "fpo/algo/ppo_update.h"
#include "fpo/algo/rollout_collector.h"
#include "fpo/common/error.h"
#include "fpo/env/registry.h"
#include "fpo/io/checkpoint.h"
#include "fpo/io/config_schema.h"
#include "fpo/policy/flow_policy.h"

namespace {

struct Drift {
  double kl, clip;
};

// Proxy and clip fraction of log-ratios [B, 1] against clip e.
Drift drift_of(const torch::Tensor& log_ratio, double clip) {
  auto r = log_ratio.exp();
  return {((r - 1) - log_ratio).mean().item<double>(), ((r - 1).abs() > clip).to(torch::kFloat64).mean().item<double>()};
}

}  // namespace

int main(int argc, char** argv) try {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s RUN_DIR CHECKPOINT [EPOCHS] [PAIRS]\n", argv[0]);
    return 2;
  }
  const std::string run = argv[1], checkpoint = argv[2];
  const int epochs = argc > 3 ? std::stoi(argv[3]) : 10, pairs = argc > 4 ? std::stoi(argv[4]) : 256;
  fpo::TrainConfig config;
  fpo::ConfigSchema(config).load_toml_file(run + "/config.toml");
  if (config.algo != "fpo") throw fpo::Error("run '" + run + "' is algo " + config.algo + "; this tool needs fpo");
  config.threads = 1;
  torch::set_num_threads(1);
  torch::manual_seed(99);
  const auto factory = fpo::EnvRegistry::global().make(config.env);
  fpo::VecEnv env(factory, config.num_envs, 1, 99);
  fpo::Agent agent = fpo::make_agent(config, env.obs_dim(), env.act_dim());
  auto optimizer = fpo::make_optimizer(agent, config);
  fpo::TrainState state;
  fpo::load_checkpoint(checkpoint, agent, optimizer.get(), &state);
  auto* flow = dynamic_cast<fpo::FlowPolicy*>(agent.policy.get());

  fpo::RolloutStorage rollout;
  fpo::MetricsRow row;
  fpo::RolloutCollector(config, env, torch::kCPU).collect(agent, rollout, 0, row);
  auto obs = rollout.flat(rollout.obs), actions = rollout.flat(rollout.actions);
  const int64_t b = obs.size(0);
  torch::Tensor t, eps, l_old;
  {
    torch::NoGradGuard no_grad;
    t = torch::rand({b, pairs}, obs.options());
    eps = torch::randn({b, pairs, env.act_dim()}, obs.options());
    l_old = flow->cfm_loss(obs, actions, t, eps);
  }
  const auto negative = (fpo::rollout_advantages(rollout, config, nullptr).advantages < 0).reshape({-1, 1});
  fpo::TensorMap stored;
  for (const auto& [k, v] : rollout.memory) stored[k] = rollout.flat(v);

  fpo::TrainConfig one_epoch = config;
  one_epoch.epochs = 1;
  fpo::PpoUpdate update(one_epoch, agent, *optimizer);
  std::printf("# %s at %lld env steps: %lld transitions, %d stored pairs vs %d fresh pairs, clip %.3g\n",
              run.c_str(), static_cast<long long>(state.env_steps), static_cast<long long>(b), config.flow.n_mc, pairs,
              config.clip);
  std::printf("epoch,adam_steps,kl_stored,clip_stored,kl_fresh,clip_fresh,elbo_change_fresh\n");
  int64_t steps = 0;
  torch::Tensor l_new;
  for (int e = 1; e <= epochs; ++e) {
    fpo::MetricsRow update_row;
    update.run(rollout, 1.0, update_row);
    for (const auto& [k, v] : update_row) if (k == "updates") steps += static_cast<int64_t>(v);
    torch::NoGradGuard no_grad;
    const Drift s = drift_of(flow->log_ratio(obs, actions, stored), config.clip);
    l_new = flow->cfm_loss(obs, actions, t, eps);
    auto fresh_log_ratio = (l_old - l_new).mean(1, true);
    const Drift f = drift_of(fresh_log_ratio, config.clip);
    std::printf("%d,%lld,%.4g,%.4f,%.4g,%.4f,%.4g\n", e, static_cast<long long>(steps), s.kl, s.clip, f.kl, f.clip,
                fresh_log_ratio.mean().item<double>());
  }
  std::printf("t_bin,mean_abs_loss_change,mean_old_loss,mean_rise_where_A<0,mean_rise_where_A>=0\n");
  const auto rise = l_new - l_old, bin = (t * 10).floor().clamp_max(9);
  const auto mean_in = [](const torch::Tensor& x, const torch::Tensor& mask) {
    return x.masked_select(mask).mean().item<double>();
  };
  for (int k = 0; k < 10; ++k) {
    const auto in_bin = bin == k;
    std::printf("%.1f-%.1f,%.4g,%.4g,%.4g,%.4g\n", k / 10.0, (k + 1) / 10.0, mean_in(rise.abs(), in_bin),
                mean_in(l_old, in_bin), mean_in(rise, in_bin.logical_and(negative)),
                mean_in(rise, in_bin.logical_and(negative.logical_not())));
  }
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "fpo_ratio_drift: %s\n", e.what());
  return 1;
}
