#include "fpo/io/config_schema.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <iomanip>
#include <limits>
#include <sstream>

#include "fpo/common/error.h"
#include "fpo/policy/flow_sampler.h"

namespace fpo {

namespace {

constexpr int kMaxEnvs = 65536;  // with kMaxRolloutSteps (config_schema.h): a typo cannot allocate the machine away

OptionDef opt(std::string key, std::string help, std::variant<int*, int64_t*, double*, bool*, std::string*> field) {
  OptionDef d;
  d.key = std::move(key);
  d.help = std::move(help);
  d.field = field;
  return d;
}
OptionDef positive(OptionDef d) { d.min = 0; d.min_exclusive = true; return d; }
OptionDef at_least(OptionDef d, double min) { d.min = min; return d; }
OptionDef in_range(OptionDef d, double min, double max) { d.min = min; d.max = max; return d; }
OptionDef one_of(OptionDef d, std::vector<std::string> choices) { d.choices = std::move(choices); return d; }


std::string describe_allowed(const OptionDef& d) {
  if (!d.choices.empty()) {
    std::string s;
    for (const auto& c : d.choices) s += (s.empty() ? "" : ", ") + c;
    return "one of: " + s;
  }
  std::string s;
  if (d.min > -1e299) s += (d.min_exclusive ? "> " : ">= ") + format_double(d.min);
  if (d.max < 1e299) s += (s.empty() ? "" : " and ") + std::string("<= ") + format_double(d.max);
  return s.empty() ? "any value" : s;
}

}  // namespace

std::string format_double(double v) {
  std::ostringstream os;
  os << std::setprecision(std::numeric_limits<double>::max_digits10) << v;
  std::string s = os.str();
  // Shortest form that reads back identically.
  for (int p = 1; p <= 17; ++p) {
    std::ostringstream o;
    o << std::setprecision(p) << v;
    if (std::stod(o.str()) == v) return o.str();
  }
  return s;
}

ConfigSchema::ConfigSchema(TrainConfig& c) {
  options_ = {
      opt("env.name", "environment name (see `fpo envs`)", &c.env),
      one_of(opt("algo", "algorithm: fpo (flow policy, FPO ratio), ppo (Gaussian policy) or dppo (denoising MDP, "
                 "exact per-step ratios)", &c.algo), {"fpo", "ppo", "dppo"}),
      positive(opt("steps", "total environment steps", &c.steps)),
      at_least(opt("seed", "random seed (envs, networks, sampling)", &c.seed), 0),
      one_of(opt("device", "where networks and the update run: cpu, cuda or auto", &c.device), {"cpu", "cuda", "auto"}),
      at_least(opt("torch_threads", "LibTorch threads for CPU tensor work (0: one per core); small networks run "
                   "fastest on 1, and more threads spin-wait badly when other processes share the cores",
                   &c.torch_threads), 0),
      in_range(opt("dist.timeout", "seconds a rank of a distributed job (torchrun) waits for the others before the "
                   "job stops", &c.dist_timeout), 1, 86400),

      in_range(opt("env.num_envs", "parallel environments", &c.num_envs), 1, kMaxEnvs),
      at_least(opt("env.threads", "threads stepping the environments (0: number of cores)", &c.threads), 0),
      at_least(opt("env.max_episode_steps", "episode step limit (0: the env's own)", &c.max_episode_steps), 0),
      opt("env.start", "gridworld: start every episode from cell \"x,y\" (empty: random)", &c.start),

      in_range(opt("train.unroll", "env steps per env per iteration", &c.unroll), 1, kMaxRolloutSteps),
      at_least(opt("train.epochs", "passes over each rollout", &c.epochs), 1),
      at_least(opt("train.minibatches", "minibatches per epoch", &c.minibatches), 1),
      positive(opt("train.lr", "Adam learning rate", &c.lr)),
      at_least(opt("train.value_lr", "critic's Adam learning rate (0: train.lr); the critic must track returns that "
                   "change as the policy does", &c.value_lr), 0),
      one_of(opt("train.lr_schedule", "the policy's learning rate: constant, linear (decay to 0 over the run) or "
                 "adaptive (after each iteration: / 1.5 when the last epoch's mean KL proxy > 2 x train.target_kl, "
                 "x 1.5 when < half of it)", &c.lr_schedule), {"constant", "linear", "adaptive"}),
      at_least(opt("train.target_kl", "target of the KL proxy mean((r - 1) - log r) for the adaptive lr and "
                   "train.kl_stop (0: train.clip^2 / 2, the KL proxy of ratios spread by about the clip)", &c.target_kl), 0),
      one_of(opt("train.kl_measure",
                 "the drift the adaptive lr and train.kl_rollback read: proxy (the last epoch's mean KL proxy) or "
                 "samples (flow: the displacement of 8 coupled samples at 256 states after the iteration, over twice "
                 "their variance, mean over the states), samples_median (the same, median over the states) or max (the "
                 "larger of proxy / train.kl_proxy_slack and samples_median)",
                 &c.kl_measure),
             {"proxy", "samples", "samples_median", "max"}),
      at_least(opt("train.kl_proxy_slack", "under train.kl_measure = max, the KL proxy brakes against this times the "
                   "target (the samples' median against the target itself)", &c.kl_proxy_slack), 1),
      at_least(opt("train.kl_stop", "end an iteration's epochs once a minibatch's KL proxy exceeds this times the "
                   "target (SB3's target_kl uses 1.5; 0: off)", &c.kl_stop), 0),
      at_least(opt("train.kl_rollback", "undo an iteration's policy update (parameters and Adam moments) when its "
                   "last epoch's mean KL proxy exceeds this times the target, as TRPO's line search rejects a step "
                   "that leaves the trust region (0: off)", &c.kl_rollback), 0),
      positive(opt("train.adaptive_lr_min", "lower bound of the adaptive learning rate", &c.adaptive_lr_min)),
      positive(opt("train.adaptive_lr_max", "upper bound of the adaptive learning rate", &c.adaptive_lr_max)),
      at_least(opt("train.max_grad_norm", "gradient-norm clip, applied to the policy and to the critic separately "
                   "(0: no clipping)", &c.max_grad_norm), 0),
      at_least(opt("train.weight_decay", "L2 weight decay in the policy's Adam (0: off); the metric param_norm "
                   "is the policy's parameter norm", &c.weight_decay), 0),
      in_range(positive(opt("train.log_ratio_guard", "log-ratios are clamped to [-g, g] before exp, so no ratio "
                            "exceeds e^g (every algorithm; an overflow guard, not a trust region)",
                            &c.log_ratio_guard)), 0, 20),
      in_range(opt("train.gamma", "discount", &c.gamma), 0, 1),
      in_range(opt("train.gae_lambda", "GAE lambda", &c.gae_lambda), 0, 1),
      at_least(opt("train.value_coef", "value-loss coefficient", &c.value_coef), 0),
      at_least(opt("train.entropy_coef",
                   "entropy bonus (Gaussian: exact; flow: the Gaussian entropy of the spread of 8 samples at each "
                   "of 64 states per minibatch; dppo: none)",
                   &c.entropy_coef),
               0),
      positive(opt("train.reward_scale", "rewards are multiplied by this for learning", &c.reward_scale)),
      opt("train.obs_norm", "running observation normalisation", &c.obs_norm),
      opt("train.adv_norm", "normalise advantages over each rollout", &c.adv_norm),
      in_range(positive(opt("train.clip", "PPO clip epsilon on the ratio", &c.clip)), 0, 1),
      one_of(opt("train.trust_region", "clip: PPO clip; aspo: FPO++'s asymmetric trust region (clip where A >= 0, "
                 "SPO penalty r A - |A| (r - 1)^2 / (2 clip) where A < 0); spo: that penalty for every sample; "
                 "positive: the clip term where A >= 0, nothing where A < 0 (a diagnostic)",
                 &c.trust_region), {"clip", "aspo", "spo", "positive"}),
      one_of(opt("train.advantage", "gae: GAE with a critic; group: GRPO-style group-relative episode returns "
                 "(episodic tasks; one episode per env per iteration, no critic)", &c.advantage), {"gae", "group"}),
      opt("train.advantages_per_minibatch", "Brax-style: recompute GAE and value targets for every minibatch with "
          "the current critic on whole sequences of train.sequence_length steps, normalise advantages per "
          "minibatch, leave truncated steps out of the value loss", &c.advantages_per_minibatch),
      at_least(opt("train.sequence_length", "steps per sequence with train.advantages_per_minibatch (must divide "
                   "train.unroll; 0: the whole unroll)", &c.sequence_length), 0),
      one_of(opt("train.action_squash", "what the env receives: clip (the action, clipped to [-1, 1]) or tanh of "
                 "it; the unsquashed action is what is stored and learned from", &c.action_squash), {"clip", "tanh"}),
      at_least(opt("train.action_bound_penalty", "the learning reward loses this x sum_i max(|a_i| - 1, 0)^2 of the "
                   "action drawn (the env clips it to [-1, 1], so past the bound the advantage cannot tell actions "
                   "apart); with train.action_squash = clip and GAE (0: off)", &c.action_bound_penalty), 0),
      at_least(opt("train.group_size", "envs per group sharing an initial state (train.advantage = group; must "
                   "divide env.num_envs)", &c.group_size), 2),
      opt("value.hidden", "critic hidden layer widths", &c.value_hidden),
      one_of(opt("value.activation", "critic activation", &c.value_activation), {"silu", "tanh", "relu", "elu"}),

      opt("flow.hidden", "velocity MLP hidden layer widths", &c.flow.hidden),
      one_of(opt("flow.activation", "velocity MLP activation", &c.flow.activation), {"silu", "tanh", "relu", "elu"}),
      at_least(opt("flow.t_embed_dim", "sinusoidal t-embedding size (even)", &c.flow.t_embed_dim), 2),
      positive(opt("flow.output_scale", "velocity output scale", &c.flow.output_scale)),
      at_least(opt("flow.steps", "sampling steps K in training rollouts", &c.flow.steps), 1),
      one_of(opt("flow.sampler", "sampler in training rollouts: euler, midpoint, heun (2nd order) or stochastic",
                 &c.flow.sampler), flow_sampler_names()),
      at_least(opt("flow.sampler_noise", "noise scale of the stochastic sampler (0: Euler)", &c.flow.sampler_noise), 0),
      at_least(opt("flow.drift_var_max", "cap on the per-state action variance sample_kl divides by (0: off; 1 is "
                   "the widest spread inside [-1, 1])", &c.flow.drift_var_max), 0),
      at_least(opt("flow.spread_floor",
                   "floor on the std of 8 sampled actions per state: each minibatch's loss gains mean max(0, "
                   "log(floor) - log(std)) (0: off)",
                   &c.flow.spread_floor),
               0),
      at_least(opt("flow.cfm_anchor",
                   "weight of the mean CFM loss of each minibatch's own actions (no advantage weighting) in its "
                   "loss: keeps the flow fitted to its samples where the ratio's negative side spoils it (0: off)",
                   &c.flow.cfm_anchor),
               0),
      in_range(positive(opt("flow.anchor_t_max", "the CFM anchor counts only pairs with t <= this (1: all)",
                            &c.flow.anchor_t_max)),
               0, 1),
      in_range(opt("flow.negative_t_min",
                   "CFM pairs with t below this give no gradient to negative-advantage samples (their losses still "
                   "count in the ratio): the negative side cannot spoil the flow's fit near the action (0: off)",
                   &c.flow.negative_t_min),
               0, 1),
      at_least(opt("flow.bound_penalty",
                   "weight of mean max(0, |a| - 1)^2 over 8 sampled actions per state in each minibatch's loss: "
                   "keeps the flow inside the env's action box (0: off)",
                   &c.flow.bound_penalty),
               0),
      at_least(opt("flow.target_noise", "each (t, eps) pair's action is the drawn action plus this x N(0, I), so the "
                   "ratio is that of the policy blurred by the noise and the flow cannot fit a point mass (0: off)",
                   &c.flow.target_noise), 0),
      at_least(opt("flow.n_mc", "(t, eps) pairs per action for the FPO ratio", &c.flow.n_mc), 1),
      one_of(opt("flow.loss", "CFM loss: eps (eps-MSE) or u (u-MSE)", &c.flow.loss), {"eps", "u"}),
      one_of(opt("flow.ratio", "mean: average CFM losses before exp; per_sample: one clipped ratio per pair",
                 &c.flow.ratio), {"mean", "per_sample"}),
      one_of(opt("flow.pair_noise", "eps of the CFM pairs: independent draws, or the sampler's initial noise "
                 "that produced the action (sampling; stored pairs only)", &c.flow.pair_noise),
             {"independent", "sampling"}),
      one_of(opt("flow.predict", "network output: velocity, or action (the step to the clean action, v = -out / t; "
                 "needs flow.t_sampling = grid)", &c.flow.predict), {"velocity", "action"}),
      one_of(opt("flow.t_sampling", "t for CFM pairs: uniform in (0,1) or the sampler's grid points",
                 &c.flow.t_sampling), {"uniform", "grid"}),
      one_of(opt("flow.pairs", "(t, eps) pairs of the FPO ratio: stored (drawn at rollout, reused every epoch) or "
                 "fresh (drawn for every minibatch, old losses from a copy of the acting network)", &c.flow.pairs),
             {"stored", "fresh"}),
      at_least(opt("flow.loss_clamp", "clamp CFM losses to <= this before the ratio (0: off)", &c.flow.loss_clamp), 0),
      at_least(opt("flow.diff_clamp", "clamp l_old - l_new to [-c, c] before exp (0: off)", &c.flow.diff_clamp), 0),
      at_least(opt("flow.action_bound", "clip flow actions to [-b, b] before they are stored and learned from (0: off)",
                   &c.flow.action_bound), 0),

      opt("dppo.hidden", "DPPO velocity MLP hidden layer widths", &c.dppo.hidden),
      one_of(opt("dppo.activation", "DPPO velocity MLP activation", &c.dppo.activation), {"silu", "tanh", "relu", "elu"}),
      at_least(opt("dppo.t_embed_dim", "DPPO sinusoidal t-embedding size (even)", &c.dppo.t_embed_dim), 2),
      positive(opt("dppo.output_scale", "DPPO velocity output scale", &c.dppo.output_scale)),
      at_least(opt("dppo.steps", "denoising steps K (the per-action MDP length)", &c.dppo.steps), 1),
      positive(opt("dppo.sigma", "fixed per-step noise std of the denoising MDP", &c.dppo.sigma)),

      opt("gaussian.hidden", "Gaussian policy hidden layer widths", &c.gaussian.hidden),
      one_of(opt("gaussian.activation", "Gaussian policy activation", &c.gaussian.activation),
             {"silu", "tanh", "relu", "elu"}),
      one_of(opt("gaussian.std_mode", "log_std: learned state-independent; softplus: state-dependent head",
                 &c.gaussian.std_mode), {"log_std", "softplus"}),
      positive(opt("gaussian.init_std", "initial action standard deviation", &c.gaussian.init_std)),
      positive(opt("gaussian.min_std", "lower bound on the standard deviation", &c.gaussian.min_std)),

      at_least(opt("checkpoint_every", "iterations between periodic checkpoints (0: final only)",
                   &c.checkpoint_every), 0),
  };
}

const OptionDef& ConfigSchema::find(const std::string& key) const {
  for (const auto& d : options_) {
    if (d.key == key) return d;
  }
  std::string known;
  for (const auto& d : options_) known += (known.empty() ? "" : ", ") + d.key;
  throw Error("unknown option '" + key + "'; known options: " + known);
}

void ConfigSchema::set(const std::string& key, const std::string& value, const std::string& source) {
  if (key == "train.lr_decay") {
    // Runs written before train.lr_schedule existed.
    if (value == "true" || value == "1") return set("train.lr_schedule", "linear", source);
    if (value == "false" || value == "0") return set("train.lr_schedule", "constant", source);
    throw Error(source + ": train.lr_decay = '" + value + "' is not a boolean; allowed: true, false (or use "
                "train.lr_schedule)");
  }
  const OptionDef* found = nullptr;
  try {
    found = &find(key);
  } catch (const Error& e) {
    throw Error(source + ": " + e.what());
  }
  const OptionDef& d = *found;
  auto bad = [&](const std::string& why) {
    return Error(source + ": " + key + " = '" + value + "' " + why + "; allowed: " + describe_allowed(d));
  };
  auto check_range = [&](double v) {
    if (!std::isfinite(v)) throw bad("is not a finite number");
    if (v < d.min || (d.min_exclusive && v <= d.min) || v > d.max) throw bad("is out of range");
  };
  auto parse_number = [&](bool integral) -> double {
    try {
      size_t used = 0;
      // Accept 3e6 for integers (common for step counts) but not 3.5.
      const double v = std::stod(value, &used);
      if (used != value.size()) throw std::invalid_argument("trailing");
      if (integral && v != std::floor(v)) throw bad("is not an integer");
      return v;
    } catch (const Error&) {
      throw;
    } catch (const std::exception&) {
      throw bad(integral ? "is not an integer" : "is not a number");
    }
  };
  std::visit(
      [&](auto* field) {
        using T = std::remove_pointer_t<decltype(field)>;
        if constexpr (std::is_same_v<T, std::string>) {
          if (!d.choices.empty() && std::find(d.choices.begin(), d.choices.end(), value) == d.choices.end()) {
            throw bad("is not allowed");
          }
          *field = value;
        } else if constexpr (std::is_same_v<T, bool>) {
          if (value == "true" || value == "1") *field = true;
          else if (value == "false" || value == "0") *field = false;
          else throw Error(source + ": " + key + " = '" + value + "' is not a boolean; allowed: true, false");
        } else if constexpr (std::is_same_v<T, double>) {
          const double v = parse_number(false);
          check_range(v);
          *field = v;
        } else {
          const auto too_large = [&] {
            return Error(source + ": " + key + " = '" + value + "' is too large; allowed: " + describe_allowed(d) +
                         (d.max < 1e299 ? std::string() : " and <= " + std::to_string(std::numeric_limits<T>::max())));
          };
          // Plain digits are read exactly (seeds above 2^53); 3e6 goes through double.
          const bool digits = !value.empty() && value.find_first_not_of("0123456789", value[0] == '-') ==
                                                    std::string::npos && value != "-";
          if (digits) {
            errno = 0;
            const long long v = std::strtoll(value.c_str(), nullptr, 10);
            if (errno == ERANGE || v > std::numeric_limits<T>::max() || v < std::numeric_limits<T>::min()) {
              if (value[0] == '-') throw bad("is out of range");
              throw too_large();
            }
            check_range(static_cast<double>(v));
            *field = static_cast<T>(v);
          } else {
            const double v = parse_number(true);
            check_range(v);
            if (v >= static_cast<double>(std::numeric_limits<T>::max())) throw too_large();
            *field = static_cast<T>(v);
          }
        }
      },
      d.field);
  assigned_.insert(key);
}

void ConfigSchema::set_assignment(const std::string& assignment, const std::string& source) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw Error(source + ": '" + assignment + "' is not of the form key=value (e.g. train.lr=1e-3)");
  }
  set(assignment.substr(0, eq), assignment.substr(eq + 1), source);
}

std::string ConfigSchema::get(const std::string& key) const {
  const OptionDef& d = find(key);
  return std::visit(
      [](auto* field) -> std::string {
        using T = std::remove_pointer_t<decltype(field)>;
        if constexpr (std::is_same_v<T, std::string>) return *field;
        else if constexpr (std::is_same_v<T, bool>) return *field ? "true" : "false";
        else if constexpr (std::is_same_v<T, double>) return format_double(*field);
        else return std::to_string(*field);
      },
      d.field);
}

}  // namespace fpo
