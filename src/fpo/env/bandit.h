#pragma once
// "bandit:two_peaks": a one-step task with a 1-D action and two equally good
// reward peaks at a = -0.6 and a = +0.6 (Gaussian bumps of width 0.1). The
// smallest setting where a flow policy can keep both modes and a unimodal
// Gaussian must commit to one (or sit between them).
namespace fpo {

constexpr double kBanditPeak = 0.6;
constexpr double kBanditWidth = 0.1;

// Reward of action a: the larger of the two bumps, in [0, 1].
double bandit_reward(double a);

}  // namespace fpo
