#!/usr/bin/env bash
# Installs the Debian 12 packages fpo needs; skips what is already installed.
set -euo pipefail
packages=(
  build-essential cmake
  libtorch-dev libopenblas0-openmp   # tensors/autograd; OpenBLAS instead of netlib BLAS (7-19x faster)
  libblas-dev                        # cblas.h: acting's forward passes straight onto BLAS
  libgloo-dev python3-torch          # data-parallel training: c10d's Gloo headers; torchrun, the launcher
  libmujoco-dev libqhull-dev         # physics; MuJoCo's CMake config needs qhull
  libgtest-dev libbenchmark-dev      # tests, micro-benchmarks
  libcli11-dev libtomlplusplus-dev nlohmann-json3-dev  # CLI, config, JSON output
  zlib1g-dev                         # CRC-32 of checkpoints
  libegl-dev libopengl-dev libegl-mesa0 libgl1-mesa-dri   # fpo render: headless OpenGL (EGL, Mesa)
  libavformat-dev libavcodec-dev libswscale-dev pkgconf   # fpo render: video encoding (FFmpeg)
  python3-matplotlib python3-numpy   # plotting companion tools only
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
