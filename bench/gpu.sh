#!/bin/sh
# The GPU benchmark: full-size Cityscapes LGGAN on WebGPU (Node/Dawn and headless Chromium) against
# PyTorch CUDA on the exported package, with the ratios. Needs an NVIDIA GPU; checks that first and
# says what is missing. The logic is bench/gpu.ts (typed, tested); this only finds the repository.
#   bench/gpu.sh [--repeats N] [--batch B] [--no-browser]
set -eu
cd "$(dirname "$0")/.."
if ! command -v node >/dev/null 2>&1; then
  echo "bench/gpu.sh: cannot run: node is not on PATH (Node 20 or later is needed)" >&2
  exit 1
fi
if [ ! -d node_modules/tsx ]; then
  echo "bench/gpu.sh: cannot run: the repository's dependencies are not installed (no node_modules/tsx): run npm install" >&2
  exit 1
fi
exec node --import tsx bench/gpu.ts "$@"
