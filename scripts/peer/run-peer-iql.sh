#!/usr/bin/env bash
# Runs the PyTorch IQL peer benchmark (../shared/reference/peer_iql.py from the repository root) with Debian's
# /usr/bin/python3 + python3-torch on OpenBLAS-OpenMP (extracted by setup-peer.sh, put first on LD_LIBRARY_PATH).
#
# Usage: scripts/peer/run-peer-iql.sh [extra peer_iql.py args]
#   Default args are `--steps 2000 --threads 2`; extra args are appended and, argparse taking the last value, override
#   them (e.g. `--threads 1`, `--actor deterministic`).
#   PEER_BLAS=system runs without the OpenBLAS override (Debian's default BLAS, for contrast).
#
# Before the benchmark a separate /usr/bin/python3 process with the same environment does a matmul and prints which
# BLAS/LAPACK libraries are mapped (/proc/self/maps); with the override it fails if OpenBLAS-OpenMP is not the one.
# The benchmark's own two lines are the last two lines of stdout.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
peer_py="$root/../shared/reference/peer_iql.py"
[ -f "$peer_py" ] || { echo "run-peer-iql: $peer_py not found" >&2; exit 1; }

mode="${PEER_BLAS:-openblas-openmp}"
case "$mode" in
  openblas-openmp)
    libdir="$("$root/scripts/peer/setup-peer.sh" | tail -1)"
    export LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    ;;
  system) ;;
  *) echo "run-peer-iql: PEER_BLAS must be openblas-openmp or system, not '$mode'" >&2; exit 2 ;;
esac

PEER_BLAS="$mode" /usr/bin/python3 - <<'PY'
import os, sys
import torch
a = torch.randn(256, 256, dtype=torch.float32)
(a @ a).sum().item()
mapped = sorted({l.split()[-1] for l in open('/proc/self/maps')
                 if len(l.split()) >= 6 and any(k in os.path.basename(l.split()[-1]).lower()
                                                for k in ('blas', 'lapack', 'gomp', 'omp'))})
print(f"peer: /usr/bin/python3 {sys.version.split()[0]}, torch {torch.__version__}, PEER_BLAS={os.environ['PEER_BLAS']}, "
      f"LD_LIBRARY_PATH={os.environ.get('LD_LIBRARY_PATH', '')}")
for m in mapped:
    print("peer: mapped", m)
blas = [m for m in mapped if 'blas' in os.path.basename(m).lower()]
openmp = [m for m in blas if '/openblas-openmp/' in m and 'openblas' in os.path.basename(m)]
print("peer BLAS:", "OpenBLAS-OpenMP (" + openmp[0] + ")" if openmp else ", ".join(blas) or "none mapped")
if os.environ['PEER_BLAS'] == 'openblas-openmp' and not openmp:
    sys.exit("peer: OpenBLAS-OpenMP is not the BLAS torch loaded; refusing to benchmark")
PY

exec /usr/bin/python3 "$peer_py" --steps 2000 --threads 2 "$@"
