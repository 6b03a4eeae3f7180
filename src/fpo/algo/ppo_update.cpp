#include "fpo/algo/ppo_update.h"

#include <algorithm>
#include <chrono>
#include <cmath>


namespace fpo {

namespace {
// train.value_lr, or train.lr where it is 0.
double critic_lr(const TrainConfig& config) { return config.value_lr > 0 ? config.value_lr : config.lr; }
// How LibTorch's optimizers key their per-parameter state.
std::string adam_key(const torch::Tensor& p) { return c10::guts::to_string(p.unsafeGetTensorImpl()); }
// A deep copy: Adam updates its moments in place.
std::unique_ptr<torch::optim::AdamParamState> copy_of(const torch::optim::AdamParamState& adam) {
  auto copy = std::make_unique<torch::optim::AdamParamState>();
  copy->step(adam.step());
  copy->exp_avg(adam.exp_avg().clone());
  copy->exp_avg_sq(adam.exp_avg_sq().clone());
  if (adam.max_exp_avg_sq().defined()) copy->max_exp_avg_sq(adam.max_exp_avg_sq().clone());
  return copy;
}
bool per_minibatch(const TrainConfig& config) {
  return config.advantages_per_minibatch && config.advantage != "group";
}
}  // namespace

std::unique_ptr<torch::optim::Adam> make_optimizer(Agent& agent, const TrainConfig& config) {
  std::vector<torch::optim::OptimizerParamGroup> groups;
  auto policy_options = std::make_unique<torch::optim::AdamOptions>(config.lr);
  policy_options->weight_decay(config.weight_decay);
  groups.emplace_back(agent.policy->parameters(), std::move(policy_options));
  groups.emplace_back(agent.value->parameters(), std::make_unique<torch::optim::AdamOptions>(critic_lr(config)));
  return std::make_unique<torch::optim::Adam>(std::move(groups), torch::optim::AdamOptions(config.lr));
}

namespace {
// Reported per iteration: a growing norm makes the policy's outputs steeper
// in its parameters, so a step of a given size moves the ratio further.
double parameter_norm(const std::vector<torch::Tensor>& params) {
  torch::NoGradGuard no_grad;
  double sum = 0.0;
  for (const auto& p : params) sum += p.pow(2).sum().item<double>();
  return std::sqrt(sum);
}
}  // namespace

torch::Tensor clip_grad_norm(const std::vector<torch::Tensor>& params, double max_norm) {
  std::vector<torch::Tensor> norms;
  for (const auto& p : params) {
    if (p.grad().defined()) norms.push_back(p.grad().norm());
  }
  if (norms.empty()) return torch::zeros({});
  auto total = torch::stack(norms).norm();
  if (max_norm <= 0) return total;
  auto scale = (max_norm / (total + 1e-6)).clamp_max(1.0);
  for (const auto& p : params) {
    if (p.grad().defined()) p.grad().mul_(scale);
  }
  return total;
}

double PpoUpdate::mean_over_ranks(const torch::Tensor& scalar) const {
  if (collective_ == nullptr || !collective_->distributed()) return scalar.item<double>();
  auto value = scalar.detach().to(torch::kCPU, torch::kFloat64).reshape({1});
  collective_->mean({value}, "averaging the KL proxy");
  return value.item<double>();
}

double kl_target(const TrainConfig& config) {
  return config.target_kl > 0 ? config.target_kl : config.clip * config.clip / 2.0;
}

double steering_drift(const TrainConfig& config, double proxy, double samples) {
  if (config.kl_measure == "proxy") return proxy;
  if (config.kl_measure == "max") return std::max(proxy / config.kl_proxy_slack, samples);
  return samples;
}

PpoUpdate::PpoUpdate(const TrainConfig& config, Agent& agent, torch::optim::Adam& optimizer, Collective* collective)
    : config_(config),
      agent_(agent),
      optimizer_(optimizer),
      collective_(collective),
      trust_region_(parse_trust_region(config.trust_region)) {}

double PpoUpdate::policy_lr() const {
  return static_cast<const torch::optim::AdamOptions&>(optimizer_.param_groups()[0].options()).lr();
}

void PpoUpdate::set_lrs(double policy_lr, double value_lr) {
  auto& groups = optimizer_.param_groups();  // [policy, critic]
  static_cast<torch::optim::AdamOptions&>(groups[0].options()).lr(policy_lr);
  static_cast<torch::optim::AdamOptions&>(groups[1].options()).lr(value_lr);
}

PpoUpdate::PolicySnapshot PpoUpdate::snapshot_policy(const std::vector<torch::Tensor>& params) {
  torch::NoGradGuard no_grad;
  PolicySnapshot snap;
  auto& state = optimizer_.state();
  for (const auto& p : params) {
    snap.params.push_back(p.detach().clone());
    auto it = state.find(adam_key(p));
    snap.adam.push_back(it == state.end() ? nullptr
                                          : copy_of(static_cast<const torch::optim::AdamParamState&>(*it->second)));
  }
  return snap;
}

void PpoUpdate::restore_policy(const std::vector<torch::Tensor>& params, const PolicySnapshot& snap) {
  torch::NoGradGuard no_grad;
  auto& state = optimizer_.state();
  for (size_t i = 0; i < params.size(); ++i) {
    params[i].copy_(snap.params[i]);
    const std::string key = adam_key(params[i]);
    if (snap.adam[i]) state[key] = copy_of(*snap.adam[i]);
    else state.erase(key);
  }
}

void PpoUpdate::adapt_lr(double kl) {
  const double target = kl_target(config_);
  double lr = policy_lr();
  if (kl > 2.0 * target) lr = std::max(lr / 1.5, config_.adaptive_lr_min);
  else if (kl < target / 2.0 && kl > 0.0) lr = std::min(lr * 1.5, config_.adaptive_lr_max);
  set_lrs(lr, critic_lr(config_));
}

int64_t PpoUpdate::sequence_length(const RolloutStorage& r) const {
  return config_.sequence_length > 0 ? config_.sequence_length : r.steps;
}

std::vector<torch::Tensor> PpoUpdate::epoch_indices(const RolloutStorage& r) const {
  if (per_minibatch(config_)) {
    return sequence_minibatches(r.steps, r.num_envs, sequence_length(r), config_.minibatches, r.obs.device());
  }
  const int64_t batch = r.steps * r.num_envs;
  const int64_t minibatches = std::min<int64_t>(config_.minibatches, batch), size = batch / minibatches;
  auto perm = torch::randperm(batch, torch::TensorOptions().dtype(torch::kLong).device(r.obs.device()));
  std::vector<torch::Tensor> out;
  for (int64_t mb = 0; mb < minibatches; ++mb) out.push_back(perm.narrow(0, mb * size, size));
  return out;
}

PpoUpdate::Minibatch PpoUpdate::gather(const RolloutStorage& r, const AdvantageTargets& targets,
                                       const torch::Tensor& idx) {
  Minibatch mb;
  mb.obs = r.flat(r.obs).index_select(0, idx);
  mb.actions = r.flat(r.actions).index_select(0, idx);
  for (const auto& [k, v] : r.memory) mb.memory[k] = r.flat(v).index_select(0, idx);
  if (per_minibatch(config_)) {
    // With the critic as it is now, after this iteration's earlier steps.
    auto t = sequence_advantages(r, idx, sequence_length(r), [&](const torch::Tensor& o) { return agent_.value_of(o); },
                                 config_, collective_);
    mb.advantages = t.advantages;
    mb.returns = t.returns;
    mb.value_mask = t.weights;
    return mb;
  }
  mb.advantages = targets.advantages.index_select(0, idx);
  if (targets.returns.defined()) mb.returns = targets.returns.index_select(0, idx);
  if (targets.weights.defined()) mb.weights = targets.weights.index_select(0, idx);
  return mb;
}

void PpoUpdate::run(const RolloutStorage& r, double lr_factor, MetricsRow& row) {
  const auto t0 = std::chrono::steady_clock::now();
  // lap(phase): the time since the last lap goes to that phase of the profile.
  auto mark = t0;
  UpdateProfile unused;
  UpdateProfile& profile = profile_ ? *profile_ : unused;
  auto lap = [&mark](double& phase) {
    const auto now = std::chrono::steady_clock::now();
    phase += std::chrono::duration<double>(now - mark).count();
    mark = now;
  };
  const bool group = config_.advantage == "group", adaptive = config_.lr_schedule == "adaptive";
  agent_.policy->begin_update();  // the parameters are still the acting ones
  const AdvantageTargets targets =
      per_minibatch(config_) ? AdvantageTargets{} : rollout_advantages(r, config_, collective_);
  const bool distributed = collective_ != nullptr && collective_->distributed();
  lap(profile.advantages);
  if (adaptive) set_lrs(policy_lr(), critic_lr(config_));
  else set_lrs(config_.lr * lr_factor, critic_lr(config_) * lr_factor);
  // Policy and critic are clipped separately: with rewards scaled by 10 and
  // gamma 0.995 the value loss is O(1e3), and one global norm would shrink
  // the policy's gradient to nothing.
  const auto policy_params = agent_.policy->parameters();
  const auto value_params = agent_.value->parameters();
  const auto opts = torch::TensorOptions().dtype(torch::kFloat32).device(r.obs.device());
  PolicySnapshot before;
  if (config_.kl_rollback > 0) before = snapshot_policy(policy_params);
  // Sums of per-minibatch statistics, read back once at the end (no host sync in
  // the loop unless the KL proxy steers it).
  enum { kPolicyLoss, kValueLoss, kEntropy, kRegulariser, kRatioMean, kClip, kGuard, kKl, kGrad, kStats };
  std::vector<torch::Tensor> sums(kStats);
  for (auto& s : sums) s = torch::zeros({}, opts);
  auto ratio_max = torch::zeros({}, opts);
  int64_t count = 0, last_epoch_count = 0;
  int last_epoch = -1;
  torch::Tensor last_epoch_kl;
  // The drift the last epoch saw, for the adaptive lr.
  auto count_for_adaptive_lr = [&](int epoch, const torch::Tensor& kl) {
    if (epoch != last_epoch) {
      last_epoch = epoch;
      last_epoch_kl = torch::zeros({}, opts);
      last_epoch_count = 0;
    }
    last_epoch_kl += kl;
    ++last_epoch_count;
  };
  bool stopped = false;
  for (int epoch = 0; epoch < config_.epochs && !stopped; ++epoch) {
    for (const auto& idx : epoch_indices(r)) {
      lap(profile.bookkeeping);
      Minibatch mb = gather(r, targets, idx);
      lap(profile.gather);
      mb.memory["advantages"] = mb.advantages;  // for a ratio whose gradient depends on the sign
      auto log_ratio = agent_.policy->log_ratio(mb.obs, mb.actions, mb.memory);
      SurrogateStats stats;
      auto policy_loss = surrogate_loss(log_ratio, mb.advantages, config_.clip, trust_region_, mb.weights, &stats,
                                        config_.log_ratio_guard);
      if (config_.kl_stop > 0 && mean_over_ranks(stats.approx_kl) > config_.kl_stop * kl_target(config_)) {
        stopped = true;  // SB3's target_kl: this minibatch is not stepped, but its
        count_for_adaptive_lr(epoch, stats.approx_kl.detach());  // drift brakes the adaptive lr
        break;
      }
      torch::Tensor value_loss, loss = policy_loss;
      if (group) {
        value_loss = torch::zeros({}, opts);  // no critic
      } else {
        auto err2 = (agent_.value_of(mb.obs) - mb.returns).pow(2);
        value_loss = mb.value_mask.defined() ? (err2 * mb.value_mask).sum() / mb.value_mask.sum().clamp_min(1.0)
                                             : err2.mean();
        loss = policy_loss + config_.value_coef * value_loss;
      }
      torch::Tensor entropy;
      if (config_.entropy_coef > 0) {
        entropy = agent_.policy->entropy(mb.obs);
        if (entropy.defined()) loss = loss - config_.entropy_coef * entropy;
      }
      auto regulariser = agent_.policy->regulariser(mb.obs);
      if (regulariser.defined()) loss = loss + regulariser;
      lap(profile.forward);
      optimizer_.zero_grad();
      loss.backward();
      if (distributed) {
        std::vector<torch::Tensor> grads;
        // Every parameter's gradient, averaged over the ranks before clipping and the step.
        for (const auto* params : {&policy_params, &value_params}) {
          for (const auto& p : *params) if (p.grad().defined()) grads.push_back(p.grad());
        }
        collective_->mean(grads, "the gradient all-reduce");
      }
      lap(profile.backward);
      auto grad_norm = clip_grad_norm(policy_params, config_.max_grad_norm);  // reported: the policy's
      clip_grad_norm(value_params, config_.max_grad_norm);
      optimizer_.step();
      lap(profile.optimizer);
      ++profile.adam_steps;
      profile.samples += mb.obs.size(0);

      torch::NoGradGuard no_grad;
      sums[kPolicyLoss] += policy_loss.detach();
      sums[kValueLoss] += value_loss.detach();
      if (entropy.defined()) sums[kEntropy] += entropy.detach();
      if (regulariser.defined()) sums[kRegulariser] += regulariser.detach();
      sums[kRatioMean] += stats.ratio_mean;
      sums[kClip] += stats.clip_fraction;
      sums[kGuard] += stats.guard_fraction;
      sums[kKl] += stats.approx_kl;
      count_for_adaptive_lr(epoch, stats.approx_kl);
      sums[kGrad] += grad_norm;
      ratio_max = torch::max(ratio_max, stats.ratio_max.to(torch::kFloat32));
      ++count;
    }
  }
  // The drift at the end of the iteration, which the adaptive lr and the rollback read.
  const torch::Tensor state_kl = agent_.policy->sample_kl(r.flat(r.obs));
  const torch::Tensor sample_kl = state_kl.defined() ? state_kl.mean() : torch::Tensor();
  const bool steers = adaptive || config_.kl_rollback > 0;
  const bool median = config_.kl_measure == "samples_median" || config_.kl_measure == "max";
  const torch::Tensor median_kl = median && state_kl.defined() ? state_kl.median() : torch::Tensor();
  const bool measured = last_epoch_count > 0 && steers;
  double drift = 0.0;
  if (measured) {
    const double proxy = mean_over_ranks(last_epoch_kl) / static_cast<double>(last_epoch_count);
    // With several ranks, the mean of each rank's median.
    const double samples = config_.kl_measure == "proxy" ? 0.0 : mean_over_ranks(median ? median_kl : sample_kl);
    drift = steering_drift(config_, proxy, samples);
  }
  const bool rolled_back = config_.kl_rollback > 0 && measured && drift > config_.kl_rollback * kl_target(config_);
  if (rolled_back) restore_policy(policy_params, before);  // the critic keeps its steps
  if (adaptive && measured) adapt_lr(drift);
  lap(profile.bookkeeping);
  sums.push_back(ratio_max * static_cast<double>(std::max<int64_t>(count, 1)));  // not averaged below
  auto stats = torch::stack(sums).div(static_cast<double>(std::max<int64_t>(count, 1))).to(torch::kCPU, torch::kFloat64);
  auto s = stats.accessor<double, 1>();
  const double nan = std::nan("");
  const bool any = count > 0;
  row.push_back({"policy_loss", any ? s[kPolicyLoss] : 0.0});
  row.push_back({"value_loss", group ? nan : (any ? s[kValueLoss] : 0.0)});
  row.push_back({"entropy", config_.entropy_coef > 0 ? s[kEntropy] : nan});
  if (config_.algo == "fpo" && (config_.flow.spread_floor > 0 || config_.flow.bound_penalty > 0 || config_.flow.cfm_anchor > 0)) {
    row.push_back({"regulariser", s[kRegulariser]});
  }
  row.push_back({"ratio_mean", any ? s[kRatioMean] : 1.0});
  row.push_back({"ratio_max", any ? s[kStats] : 1.0});
  row.push_back({"clip_fraction", s[kClip]});
  row.push_back({"guard_fraction", s[kGuard]});
  row.push_back({"approx_kl", s[kKl]});
  if (sample_kl.defined()) {
    row.push_back({"sample_kl", config_.kl_measure == "samples" && measured ? drift : sample_kl.item<double>()});
  }
  if (median && measured) row.push_back({"sample_kl_median", median_kl.item<double>()});
  row.push_back({"grad_norm", s[kGrad]});
  row.push_back({"param_norm", parameter_norm(policy_params)});
  row.push_back({"lr", policy_lr()});
  row.push_back({"updates", static_cast<double>(count)});
  if (config_.kl_rollback > 0) row.push_back({"rolled_back", rolled_back ? 1.0 : 0.0});
  row.push_back({"time_update", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()});
}

}  // namespace fpo
