#!/usr/bin/env bash
# Prepares the PyTorch peer for side-by-side benchmarks (not a Fulcrum dependency). Idempotent.
#  1. Debian's python3-torch for Debian's /usr/bin/python3 (a pyenv python3 may be first on PATH and cannot see Debian
#     packages), installed with apt only when /usr/bin/python3 cannot import torch.
#  2. OpenBLAS-OpenMP, extracted into build/peer/openblas (git-ignored) WITHOUT changing the system: Debian's torch
#     otherwise runs on the slow reference BLAS (see PLATFORM-NOTES.md). Nothing is installed for this step:
#     `apt-get download libopenblas0-openmp` + `dpkg -x`.
# Prints, as its last line on stdout, the library folder (the one holding libopenblas.so.0 for openblas-openmp) to put
# on LD_LIBRARY_PATH. Progress goes to stderr.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
peer="$root/build/peer"
updated=0

apt_update_once() {
  if [ "$updated" = 0 ]; then
    echo "setup-peer: apt-get update" >&2
    apt-get update -qq >&2
    updated=1
  fi
}

find_libdir() {
  local lib
  lib="$(find "$peer/openblas" -name 'libopenblas.so.0' -path '*/openblas-openmp/*' 2>/dev/null | head -1)"
  [ -n "$lib" ] && dirname "$lib"
}

if ! /usr/bin/python3 -c "import torch" 2>/dev/null; then
  apt_update_once
  echo "setup-peer: apt-get install -y python3-torch" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y python3-torch >&2
fi

mkdir -p "$peer"
if ! find_libdir >/dev/null; then
  (
    cd "$peer"
    rm -f libopenblas0-openmp_*.deb
    if ! apt-get download libopenblas0-openmp >&2 2>/dev/null; then
      apt_update_once
      apt-get download libopenblas0-openmp >&2
    fi
    rm -rf openblas
    dpkg -x libopenblas0-openmp_*.deb openblas
  )
  echo "setup-peer: extracted $(ls "$peer"/libopenblas0-openmp_*.deb) into $peer/openblas" >&2
fi

libdir="$(find_libdir)" || { echo "setup-peer: libopenblas.so.0 (openblas-openmp) not found under $peer/openblas" >&2; exit 1; }
echo "$libdir"
