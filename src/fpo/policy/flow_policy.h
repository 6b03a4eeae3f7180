#pragma once
// Flow-matching policy trained with FPO. Actions come from integrating a
// learned velocity field v(x_t, t; obs) from noise (t = 1) to an action
// (t = 0). Its likelihood is intractable; FPO's ratio is built from
// conditional-flow-matching (CFM) losses on stored (t, eps) pairs instead.
#include <string>

#include "fpo/policy/flow_sampler.h"
#include "fpo/policy/mlp_forward.h"
#include "fpo/policy/policy.h"

namespace fpo {

enum class CfmLoss { kEpsMse, kUMse };
enum class FpoRatio { kMeanBeforeExp, kPerSample };
enum class TimeSampling { kUniform, kGrid };
enum class CfmPairs { kStored, kFresh };
enum class PairNoise { kIndependent, kSampling };
enum class FlowPredict { kVelocity, kAction };

struct FlowPolicyConfig {
  double action_bound = 0.0;       // actions are clipped to [-b, b] before storing (0: off; docs/stability.md)
  std::string hidden = "32,32,32,32";
  std::string activation = "silu";
  int t_embed_dim = 8;
  double output_scale = 0.25;
  int steps = 10;                   // K sampling steps during training rollouts
  std::string sampler = "euler";    // euler | midpoint | heun | stochastic
  int n_mc = 8;                     // (t, eps) pairs per action
  std::string loss = "eps";         // eps | u
  std::string ratio = "mean";       // mean (average losses before exp) | per_sample
  std::string t_sampling = "uniform";  // uniform | grid
  // What the network's output means: the velocity v itself, or ("action") the
  // step from x_t to the clean action, a_hat = x_t + out, so v = -out / t.
  // A point-mass flow is then a constant offset rather than a field of slope
  // 1/t, which an MLP fits poorly near t = 0 (docs/stability.md section 17).
  // Divides by t, so it needs t_sampling = grid (t >= 1 / steps).
  std::string predict = "velocity";
  std::string pairs = "stored";     // stored (drawn at rollout) | fresh (new for every minibatch)
  // The eps of the CFM pairs: independent draws, or the initial noise the
  // sampler turned into this action ("sampling"; stored pairs only), so the
  // ratio reads the field along the path that produced the action
  // (docs/stability.md section 16).
  std::string pair_noise = "independent";
  double loss_clamp = 0.0;          // clamp each CFM loss to <= this (0: off)
  double diff_clamp = 0.0;          // clamp l_old - l_new to [-c, c] (0: off)
  double sampler_noise = 0.5;       // the stochastic sampler's noise scale g (0: Euler)
  // Each pair's action is the drawn action plus target_noise x N(0, I): the
  // ratio is then that of the policy blurred by this noise, and a flow cannot
  // fit such targets with a point mass (0: off; docs/stability.md).
  double target_noise = 0.0;
  // A cap on the per-state variance sample_kl divides by (0: off). With 1,
  // the widest spread of actions inside [-1, 1], a flow spread past the
  // action box cannot make its drift read small (docs/stability.md section 18).
  double drift_var_max = 0.0;
  // A floor on the spread: each minibatch's loss gains the mean over states
  // and action dims of max(0, log(spread_floor) - log(std)), with std that of
  // 8 reparameterised samples (0: off; docs/stability.md section 14).
  double spread_floor = 0.0;
  // Keeps the flow's mass inside the envs' action box [-1, 1]: each
  // minibatch's loss gains bound_penalty x the mean of max(0, |a| - 1)^2 over
  // the same reparameterised samples. The env clips actions, so advantages
  // cannot tell apart actions past the bound and nothing else holds the flow
  // there (0: off; docs/stability.md section 15).
  double bound_penalty = 0.0;
  // Each minibatch's loss gains cfm_anchor x the mean CFM loss of its own
  // actions on their stored pairs, whatever their advantage: fitting the flow
  // to the samples it drew leaves an exact flow where it is (the CFM gradient
  // vanishes in expectation) and repairs the fit that the ratio's
  // negative-advantage side is free to spoil, mostly at small t
  // (0: off; docs/stability.md section 15).
  double cfm_anchor = 0.0;
  // The anchor counts only pairs with t <= anchor_t_max (1: all), i.e. where
  // the ratio's negative side raises the loss (docs/stability.md section 16).
  double anchor_t_max = 1.0;
  // Pairs with t below this give no gradient to negative-advantage samples
  // (their losses still count in the ratio's value): the negative side may
  // reshape the flow only where t is large, not spoil the fit near the action
  // (0: off; docs/stability.md section 16). Needs the minibatch's advantages
  // in log_ratio's memory under "advantages" (the update puts them there).
  double negative_t_min = 0.0;
};

class FlowPolicy : public Policy {
 public:
  FlowPolicy(int64_t obs_dim, int64_t act_dim, const FlowPolicyConfig& config);

  ActResult act(const torch::Tensor& obs, bool deterministic, bool with_memory) override;
  torch::Tensor log_ratio(const torch::Tensor& obs, const torch::Tensor& action, const TensorMap& memory) override;
  // Keeps a copy of the acting network (fresh pairs' old losses, sample_kl).
  void begin_update() override;
  // No closed form: the entropy of a Gaussian with sample_spread's std (the
  // bonus widens a narrowing flow).
  torch::Tensor entropy(const torch::Tensor& obs) override;
  // The spread floor's and the bound's penalties and the CFM anchor (undefined
  // when all are 0). The anchor reuses the CFM losses of the last log_ratio
  // call, which the update makes on the same minibatch just before.
  torch::Tensor regulariser(const torch::Tensor& obs) override;
  // kEntropyDraws samples at each of the first kEntropyStates states:
  // [S, kEntropyDraws, A], differentiable through the sampler.
  torch::Tensor reparameterised_samples(const torch::Tensor& obs);
  // Their per-dimension std: [S, A].
  torch::Tensor sample_spread(const torch::Tensor& obs);
  // How far the policy moved since begin_update, as a KL: at kDriftStates
  // states, each of kEntropyDraws noises x1 is integrated by the acting and
  // the current network, and the squared displacement is divided by twice the
  // acting samples' variance (the KL of two Gaussians with one std).
  torch::Tensor sample_kl(const torch::Tensor& obs) override;
  static constexpr int64_t kDriftStates = 256;
  static constexpr int64_t kEntropyStates = 64;
  static constexpr int64_t kEntropyDraws = 8;
  std::string family() const override { return "flow"; }

  // v(x_t, t; obs): obs [B, D], x [B, A], t [B] -> [B, A] (any leading dims match).
  torch::Tensor velocity(const torch::Tensor& obs, const torch::Tensor& x, const torch::Tensor& t);
  // Per-sample CFM losses: obs [B, D], action [B, A], t [B, M], eps [B, M, A] -> [B, M].
  // blur [B, M, A] (optional) is added to the action of each pair.
  torch::Tensor cfm_loss(const torch::Tensor& obs, const torch::Tensor& action, const torch::Tensor& t,
                         const torch::Tensor& eps, const torch::Tensor& blur = {});
  // Integrates from x1 [B, A] at t = 1 down to an action. noise_free drops
  // the stochastic sampler's per-step noise (deterministic actions).
  torch::Tensor sample(const torch::Tensor& obs, const torch::Tensor& x1, bool noise_free = false);

  // How actions are drawn (evaluation may differ from training).
  void set_sampler(FlowSamplerKind kind, int steps);
  // The stochastic sampler's noise scale (>= 0; 0 makes it Euler).
  void set_sampler_noise(double noise);
  FlowSamplerKind sampler() const { return sampler_; }
  int sampler_steps() const { return sampler_steps_; }
  double sampler_noise() const { return sampler_noise_; }
  const FlowPolicyConfig& config() const { return config_; }

 private:
  // Draws (t, eps) pairs for a batch of B actions: t [B, M], eps [B, M, A].
  std::pair<torch::Tensor, torch::Tensor> draw_cfm_pairs(int64_t batch, const torch::TensorOptions& opts) const;
  // velocity / cfm_loss with `net`: the live network or the acting copy.
  torch::Tensor velocity_of(torch::nn::Sequential& net, const torch::Tensor& obs, const torch::Tensor& x,
                            const torch::Tensor& t);
  torch::Tensor cfm_loss_of(torch::nn::Sequential& net, const torch::Tensor& obs, const torch::Tensor& action,
                            const torch::Tensor& t, const torch::Tensor& eps, const torch::Tensor& blur);
  // sample with `net` and the stochastic sampler's noise scale `noise`.
  torch::Tensor sample_with(torch::nn::Sequential& net, const torch::Tensor& obs, const torch::Tensor& x1,
                            double noise);

  // The direct paths (flow_policy_direct.cpp): velocity_of, cfm_loss_of and
  // sample_with without autograd or LibTorch ops (mlp_forward.h), taken when
  // direct_applies: grad mode off, float32 CPU tensors. Acting calls these
  // on batches of 32-256 rows many times per env step.
  bool direct_applies(torch::nn::Sequential& net, const torch::Tensor& obs, const torch::Tensor& x,
                      const torch::Tensor& t = {}) const;
  torch::Tensor direct_velocity(torch::nn::Sequential& net, const torch::Tensor& obs, const torch::Tensor& x,
                                const torch::Tensor& t);
  torch::Tensor direct_cfm_loss(torch::nn::Sequential& net, const torch::Tensor& obs, const torch::Tensor& action,
                                const torch::Tensor& t, const torch::Tensor& eps, const torch::Tensor& blur);
  torch::Tensor direct_sample(torch::nn::Sequential& net, const torch::Tensor& obs, const torch::Tensor& x1,
                              double noise);
  // v of `net` for `rows` rows [obs row r / obs_repeat, x row r, embedding of
  // t] into v (rows x act_dim); t holds one time for all rows (one_t) or one per row.
  void direct_field(torch::nn::Sequential& net, const float* obs, int64_t obs_dim, int64_t obs_repeat,
                    const float* x, const float* t, bool one_t, int64_t rows, float* v);
  // target_noise x N(0, I) per pair [B, M, A]; undefined when target_noise is 0.
  torch::Tensor draw_blur(int64_t batch, const torch::TensorOptions& opts) const;

  FlowPolicyConfig config_;
  int64_t act_dim_;
  CfmLoss loss_;
  FpoRatio ratio_;
  TimeSampling t_sampling_;
  CfmPairs pairs_;
  PairNoise pair_noise_;
  FlowPredict predict_;
  FlowSamplerKind sampler_;
  int sampler_steps_;
  double sampler_noise_;
  torch::nn::Sequential net_{nullptr};
  // The parameters that collected the rollout; not a
  // registered submodule, so neither trained nor checkpointed.
  torch::nn::Sequential acting_net_{nullptr};
  // The last log_ratio's new CFM losses (with their graph), for the CFM
  // anchor; kept only while cfm_anchor > 0 and taken by regulariser().
  torch::Tensor anchor_losses_;  // [B, M], zero outside the anchor's t range
  torch::Tensor anchor_pairs_;   // how many pairs are inside it
  // The direct paths' buffers, kept between calls.
  std::vector<float> direct_input_;
  MlpScratch direct_scratch_;
};

}  // namespace fpo
