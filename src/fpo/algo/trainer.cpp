#include "fpo/algo/trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "fpo/algo/gae.h"
#include "fpo/algo/group_advantage.h"
#include "fpo/algo/objective.h"
#include "fpo/common/error.h"
#include "fpo/io/config_schema.h"

namespace fpo {

namespace {
using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}
constexpr size_t kEpisodeWindow = 100;  // episodes averaged for return_mean

// train.value_lr, or train.lr where it is 0.
double critic_lr(const TrainConfig& config) { return config.value_lr > 0 ? config.value_lr : config.lr; }

torch::Tensor host_tensor(const float* data, int64_t n, int64_t dim) {
  return torch::from_blob(const_cast<float*>(data), {n, dim}, torch::kFloat32);
}
}  // namespace

torch::Tensor clip_grad_norm(const std::vector<torch::Tensor>& params, double max_norm) {
  std::vector<torch::Tensor> norms;
  for (const auto& p : params) {
    if (p.grad().defined()) norms.push_back(p.grad().norm());
  }
  if (norms.empty()) return torch::zeros({});
  auto total = torch::stack(norms).norm();
  auto scale = (max_norm / (total + 1e-6)).clamp_max(1.0);
  for (const auto& p : params) {
    if (p.grad().defined()) p.grad().mul_(scale);
  }
  return total;
}

Trainer::Trainer(const TrainConfig& config, const EnvFactory& env_factory)
    : config_(config), device_(resolve_device(config.device)) {
  validate_config(config_);
  set_torch_threads(config_);
  trust_region_ = parse_trust_region(config_.trust_region);
  torch::manual_seed(static_cast<uint64_t>(config_.seed));
  const int threads = config_.threads > 0 ? config_.threads : std::max(1u, std::thread::hardware_concurrency());
  env_ = std::make_unique<VecEnv>(env_factory, config_.num_envs, threads, static_cast<uint64_t>(config_.seed));
  agent_ = make_agent(config_, env_->obs_dim(), env_->act_dim());
  agent_.to(device_);
  optimizer_ = make_optimizer(agent_, config_);
  obs_cpu_ = host_tensor(env_->obs(), env_->num_envs(), env_->obs_dim());
}

int64_t Trainer::steps_per_iteration() const {
  const int64_t t = group_advantages() ? env_->spec().max_episode_steps : config_.unroll;
  return static_cast<int64_t>(config_.num_envs) * t;
}

std::vector<uint64_t> Trainer::group_seeds() const {
  const uint64_t round = mix_seed(static_cast<uint64_t>(config_.seed), 0x6A09E667ULL + state_.iteration);
  std::vector<uint64_t> seeds(static_cast<size_t>(env_->num_envs()));
  for (size_t i = 0; i < seeds.size(); ++i) seeds[i] = mix_seed(round, i / static_cast<size_t>(config_.group_size));
  return seeds;
}

std::unique_ptr<torch::optim::Adam> make_optimizer(Agent& agent, const TrainConfig& config) {
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(agent.policy->parameters(), std::make_unique<torch::optim::AdamOptions>(config.lr));
  groups.emplace_back(agent.value->parameters(), std::make_unique<torch::optim::AdamOptions>(critic_lr(config)));
  return std::make_unique<torch::optim::Adam>(std::move(groups), torch::optim::AdamOptions(config.lr));
}

double Trainer::lr_factor() const {
  if (!config_.lr_decay) return 1.0;
  if (group_advantages()) {
    // Iterations vary in length: decay with the fraction of the step budget used.
    const double frac = std::min(1.0, static_cast<double>(state_.env_steps) / static_cast<double>(config_.steps));
    return std::max(1.0 - frac, 0.0);
  }
  const double total_iterations = std::ceil(static_cast<double>(config_.steps) / steps_per_iteration());
  const double frac = std::min(1.0, static_cast<double>(state_.iteration) / total_iterations);
  return std::max(1.0 - frac, 0.0);
}

double Trainer::current_lr() const { return config_.lr * lr_factor(); }

MetricsRow Trainer::iterate() {
  const auto t0 = Clock::now();
  MetricsRow row;
  collect_rollout(row);
  update(row);
  const double dt = seconds_since(t0);
  const int64_t collected = static_cast<int64_t>(config_.num_envs) * rollout_steps_;
  state_.iteration += 1;
  state_.env_steps += collected;
  state_.wall_time += dt;
  MetricsRow head = {{"iteration", static_cast<double>(state_.iteration)},
                     {"env_steps", static_cast<double>(state_.env_steps)},
                     {"wall_time", state_.wall_time},
                     {"steps_per_sec", collected / dt}};
  row.insert(row.begin(), head.begin(), head.end());
  for (const auto& [name, value] : row) {
    // Group advantages train no critic: value_loss is NaN there.
    const bool must_be_finite = name == "policy_loss" || (name == "value_loss" && !group_advantages()) ||
                                name == "grad_norm";
    if (must_be_finite && !std::isfinite(value)) {
      throw Error("training diverged at iteration " + std::to_string(state_.iteration) + ": " + name + " = " +
                  std::to_string(value) + " (not finite); try a lower train.lr or a smaller train.clip");
    }
  }
  return row;
}

void Trainer::collect_rollout(MetricsRow& row) {
  torch::NoGradGuard no_grad;
  const bool group = group_advantages();
  const int64_t steps = group ? env_->spec().max_episode_steps : config_.unroll, n = env_->num_envs();
  const int64_t obs_dim = env_->obs_dim(), act_dim = env_->act_dim();
  const auto opts = torch::TensorOptions().dtype(torch::kFloat32).device(device_);
  Rollout& r = rollout_;
  if (!r.obs.defined()) {
    r.obs = torch::empty({steps, n, obs_dim}, opts);
    r.actions = torch::empty({steps, n, act_dim}, opts);
    r.rewards = torch::empty({steps, n}, opts);
    r.values = torch::empty({steps + 1, n}, opts);
    r.next_values = torch::empty({steps, n}, opts);
    r.dones = torch::empty({steps, n}, opts);
  }
  auto truncated_bootstrap = torch::zeros({steps, n}, opts);  // V(final obs) where truncated
  auto terminated = torch::zeros({steps, n}, torch::kFloat32);
  auto dones = torch::zeros({steps, n}, torch::kFloat32);
  auto rewards = torch::zeros({steps, n}, torch::kFloat32);
  double env_time = 0, act_time = 0;
  int episodes = 0;
  const auto unstable_before = env_->unstable_steps();
  const Agent& agent = agent_;
  // Group advantages: one episode per env from group-shared initial states.
  std::vector<uint8_t> alive;
  std::vector<float> group_returns, group_lengths;
  int64_t steps_run = steps;
  if (group) {
    env_->reset_with_seeds(group_seeds());
    alive.assign(static_cast<size_t>(n), 1);
    group_returns.assign(static_cast<size_t>(n), 0.0f);
    group_lengths.assign(static_cast<size_t>(n), 0.0f);
  }

  for (int64_t t = 0; t < steps; ++t) {
    auto ta = Clock::now();
    auto obs = obs_cpu_.to(device_);
    if (config_.obs_norm) {
      if (group) {
        // Only states of the episodes being learned from.
        std::vector<int64_t> rows;
        for (int64_t i = 0; i < n; ++i) if (alive[i]) rows.push_back(i);
        agent_.obs_norm->update(obs.index_select(0, torch::tensor(rows, torch::kLong).to(device_)));
      } else {
        agent_.obs_norm->update(obs);
      }
    }
    auto norm_obs = agent.normalized(obs);
    ActResult act = agent_.policy->act(norm_obs, /*deterministic=*/false, /*with_memory=*/true);
    r.obs[t].copy_(norm_obs);
    r.actions[t].copy_(act.action);
    if (!group) r.values[t].copy_(agent_.value_of(norm_obs));
    for (auto& [key, tensor] : act.memory) {
      auto it = r.memory.find(key);
      if (it == r.memory.end()) {
        auto sizes = tensor.sizes().vec();
        sizes.insert(sizes.begin(), steps);
        it = r.memory.emplace(key, torch::empty(sizes, tensor.options())).first;
      }
      it->second[t].copy_(tensor);
    }
    auto actions_cpu = act.action.to(torch::kCPU).contiguous();
    act_time += seconds_since(ta);

    auto te = Clock::now();
    env_->step(actions_cpu.data_ptr<float>());
    env_time += seconds_since(te);

    auto tb = Clock::now();
    std::vector<int64_t> truncated_rows;
    float* rew = rewards[t].data_ptr<float>();
    float* term = terminated[t].data_ptr<float>();
    float* done = dones[t].data_ptr<float>();
    for (int64_t i = 0; i < n; ++i) {
      rew[i] = env_->rewards()[i] * static_cast<float>(config_.reward_scale);
      term[i] = env_->terminated()[i];
      done[i] = env_->done(static_cast<int>(i));
      if (env_->truncated()[i] && !group) truncated_rows.push_back(i);
      if (group) {
        // Later episodes of an env are not learned from (masked out) nor counted.
        if (!alive[i] || !env_->done(static_cast<int>(i))) continue;
        alive[i] = 0;
        group_returns[i] = env_->episode_returns()[i];
        group_lengths[i] = static_cast<float>(env_->episode_lengths()[i]);
      }
      if (env_->done(static_cast<int>(i))) {
        ++episodes;
        recent_returns_.push_back(env_->episode_returns()[i]);
        recent_lengths_.push_back(env_->episode_lengths()[i]);
        recent_outcomes_.push_back(env_->episode_outcomes()[i]);
        if (recent_returns_.size() > kEpisodeWindow) {
          recent_returns_.pop_front();
          recent_lengths_.pop_front();
          recent_outcomes_.pop_front();
        }
      }
    }
    if (!truncated_rows.empty()) {
      // Bootstrap truncated episodes from the observation they ended on.
      auto rows = torch::tensor(truncated_rows, torch::kLong);
      auto final_obs = host_tensor(env_->final_obs(), n, obs_dim).index_select(0, rows).to(device_);
      auto v = agent_.value_of(agent.normalized(final_obs));
      truncated_bootstrap[t].index_copy_(0, rows.to(device_), v);
    }
    act_time += seconds_since(tb);
    if (group && std::none_of(alive.begin(), alive.end(), [](uint8_t a) { return a != 0; })) {
      steps_run = t + 1;
      break;
    }
  }
  rollout_steps_ = steps_run;
  if (group) {
    // Every env's episode ends within max_episode_steps (truncation), so all have a return.
    auto ga = compute_group_advantages(torch::tensor(group_returns), torch::tensor(group_lengths), steps_run,
                                       config_.group_size);
    r.group_advantages = ga.advantages.to(device_);
    r.mask = ga.mask.to(device_);
  } else {
    auto norm_obs = agent.normalized(obs_cpu_.to(device_));
    r.values[steps].copy_(agent_.value_of(norm_obs));
  }
  r.rewards.copy_(rewards);
  r.dones.copy_(dones);
  if (!group) {
    auto term_dev = terminated.to(device_);
    auto done_dev = r.dones;
    // After a step that ended an episode the next stored state belongs to a new
    // episode: use the bootstrap value (truncation) or 0 (termination) instead.
    r.next_values.copy_(torch::where(done_dev > 0, truncated_bootstrap * (1.0 - term_dev),
                                     r.values.narrow(0, 1, steps)));
  }

  auto mean_of = [](const std::deque<double>& d) {
    if (d.empty()) return std::nan("");
    double s = 0;
    for (double v : d) s += v;
    return s / static_cast<double>(d.size());
  };
  row.push_back({"episodes", static_cast<double>(episodes)});
  row.push_back({"return_mean", mean_of(recent_returns_)});
  row.push_back({"length_mean", mean_of(recent_lengths_)});
  if (!env_->spec().outcome_names.empty()) {
    int success = 0;
    for (int o : recent_outcomes_) {
      if (o >= 0 && env_->spec().outcome_names[o] != "death") ++success;
    }
    row.push_back({"success_rate", recent_outcomes_.empty() ? std::nan("")
                                                            : static_cast<double>(success) / recent_outcomes_.size()});
  }
  row.push_back({"unstable_steps", static_cast<double>(env_->unstable_steps() - unstable_before)});
  row.push_back({"time_env", env_time});
  row.push_back({"time_act", act_time});
}

void Trainer::update(MetricsRow& row) {
  const auto t0 = Clock::now();
  const bool group = group_advantages();
  const int64_t steps = rollout_steps_, n = env_->num_envs();
  const int64_t batch = steps * n;
  Rollout& r = rollout_;
  torch::Tensor advantages, returns, weights;
  {
    torch::NoGradGuard no_grad;
    if (group) {
      // Already normalised within each group; train.adv_norm does not apply.
      advantages = r.group_advantages.reshape({batch});
      weights = r.mask.reshape({batch});
    } else {
      auto values = r.values.narrow(0, 0, steps);
      advantages = compute_gae(r.rewards, values, r.next_values, r.dones, config_.gamma, config_.gae_lambda);
      returns = (advantages + values).reshape({batch});
      advantages = advantages.reshape({batch});
      if (config_.adv_norm) advantages = (advantages - advantages.mean()) / (advantages.std() + 1e-8);
    }
  }
  // [T_buffer, N, ...] -> [steps * N, ...] (the buffer may be longer than this rollout).
  auto flat = [batch, steps](const torch::Tensor& x) {
    auto sizes = x.sizes().vec();
    sizes.erase(sizes.begin(), sizes.begin() + 2);
    sizes.insert(sizes.begin(), batch);
    return x.narrow(0, 0, steps).reshape(sizes);
  };
  auto obs = flat(r.obs), actions = flat(r.actions);
  TensorMap memory;
  for (auto& [k, v] : r.memory) memory[k] = flat(v);

  const double lr = current_lr();
  auto& groups = optimizer_->param_groups();  // [policy, critic]
  static_cast<torch::optim::AdamOptions&>(groups[0].options()).lr(lr);
  static_cast<torch::optim::AdamOptions&>(groups[1].options()).lr(critic_lr(config_) * lr_factor());
  // Policy and critic are clipped separately: with rewards scaled by 10 and
  // gamma 0.995 the value loss is O(1e3), and one global norm would shrink
  // the policy's gradient to nothing.
  const auto policy_params = agent_.policy->parameters();
  const auto value_params = agent_.value->parameters();
  const auto opts = torch::TensorOptions().dtype(torch::kFloat32).device(device_);
  // Sums of per-minibatch statistics, read back once at the end (no host sync in the loop).
  auto sum_policy_loss = torch::zeros({}, opts), sum_value_loss = torch::zeros({}, opts);
  auto sum_entropy = torch::zeros({}, opts), sum_ratio = torch::zeros({}, opts);
  auto sum_clip = torch::zeros({}, opts), sum_kl = torch::zeros({}, opts), sum_grad = torch::zeros({}, opts);
  int64_t count = 0;
  const int64_t minibatches = std::min<int64_t>(config_.minibatches, batch);
  const int64_t mb_size = batch / minibatches;
  for (int epoch = 0; epoch < config_.epochs; ++epoch) {
    auto perm = torch::randperm(batch, torch::TensorOptions().dtype(torch::kLong).device(device_));
    for (int64_t mb = 0; mb < minibatches; ++mb) {
      auto idx = perm.narrow(0, mb * mb_size, mb_size);
      TensorMap mb_memory;
      for (auto& [k, v] : memory) mb_memory[k] = v.index_select(0, idx);
      auto mb_obs = obs.index_select(0, idx);
      auto log_ratio = agent_.policy->log_ratio(mb_obs, actions.index_select(0, idx), mb_memory);
      SurrogateStats stats;
      auto policy_loss = surrogate_loss(log_ratio, advantages.index_select(0, idx), config_.clip, trust_region_,
                                        group ? weights.index_select(0, idx) : torch::Tensor(), &stats);
      torch::Tensor value_loss, loss = policy_loss;
      if (group) {
        value_loss = torch::zeros({}, opts);  // no critic
      } else {
        value_loss = (agent_.value_of(mb_obs) - returns.index_select(0, idx)).pow(2).mean();
        loss = policy_loss + config_.value_coef * value_loss;
      }
      torch::Tensor entropy;
      if (config_.entropy_coef > 0) {
        entropy = agent_.policy->entropy(mb_obs);
        if (entropy.defined()) loss = loss - config_.entropy_coef * entropy;
      }
      optimizer_->zero_grad();
      loss.backward();
      auto grad_norm = clip_grad_norm(policy_params, config_.max_grad_norm);  // reported: the policy's
      clip_grad_norm(value_params, config_.max_grad_norm);
      optimizer_->step();

      torch::NoGradGuard no_grad;
      sum_policy_loss += policy_loss.detach();
      sum_value_loss += value_loss.detach();
      if (entropy.defined()) sum_entropy += entropy.detach();
      sum_ratio += stats.ratio_mean;
      sum_clip += stats.clip_fraction;
      sum_kl += stats.approx_kl;
      sum_grad += grad_norm;
      ++count;
    }
  }
  auto stats = torch::stack({sum_policy_loss, sum_value_loss, sum_entropy, sum_ratio, sum_clip, sum_kl, sum_grad})
                   .div(static_cast<double>(count))
                   .to(torch::kCPU, torch::kFloat64);
  auto s = stats.accessor<double, 1>();
  row.push_back({"policy_loss", s[0]});
  row.push_back({"value_loss", group ? std::nan("") : s[1]});
  row.push_back({"entropy", config_.entropy_coef > 0 ? s[2] : std::nan("")});
  row.push_back({"ratio_mean", s[3]});
  row.push_back({"clip_fraction", s[4]});
  row.push_back({"approx_kl", s[5]});
  row.push_back({"grad_norm", s[6]});
  row.push_back({"lr", lr});
  row.push_back({"time_update", seconds_since(t0)});
}

}  // namespace fpo
