#!/usr/bin/env bash
# Runs the PyTorch LM peer benchmark (scripts/peer/peer_lm.py) with Debian's /usr/bin/python3 + python3-torch on
# OpenBLAS-OpenMP (extracted by setup-peer.sh, put first on LD_LIBRARY_PATH), as run-peer-iql.sh does for IQL.
#
# Usage: scripts/peer/run-peer-lm.sh [peer_lm.py args]   e.g. --threads 2 --steps 20
#   PEER_BLAS=system runs without the OpenBLAS override (Debian's default BLAS, for contrast).
# peer_lm.py prints the BLAS it mapped, then its three result lines (the last three lines of stdout).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
mode="${PEER_BLAS:-openblas-openmp}"
case "$mode" in
  openblas-openmp)
    libdir="$("$root/scripts/peer/setup-peer.sh" | tail -1)"
    export LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    ;;
  system) ;;
  *) echo "run-peer-lm: PEER_BLAS must be openblas-openmp or system, not '$mode'" >&2; exit 2 ;;
esac
export PEER_BLAS="$mode"
exec /usr/bin/python3 "$root/scripts/peer/peer_lm.py" "$@"
