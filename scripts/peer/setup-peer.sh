#!/usr/bin/env bash
# Prepares the PyTorch peer for side-by-side benchmarks (not a Fulcrum dependency): Debian's python3-torch, and
# OpenBLAS-OpenMP extracted into build/peer/ without touching the system (Debian's torch otherwise runs on the slow
# reference BLAS). Prints the library folder to put on LD_LIBRARY_PATH.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
peer="$root/build/peer"
if ! /usr/bin/python3 -c "import torch" 2>/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch
fi
mkdir -p "$peer"
if [ -z "$(find "$peer/openblas" -name 'libopenblas*.so*' -path '*openmp*' 2>/dev/null | head -1)" ]; then
  (cd "$peer" && apt-get download libopenblas0-openmp >/dev/null && dpkg -x libopenblas0-openmp_*.deb openblas)
fi
dirname "$(find "$peer/openblas" -name 'libblas.so.3' -path '*openmp*' | head -1)"
