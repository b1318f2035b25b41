#!/usr/bin/env bash
# Runs ../shared/reference/peer_iql.py (PyTorch IQL step benchmark) on OpenBLAS-OpenMP. Extra arguments pass through;
# defaults: --steps 2000 --threads 2.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
libdir="$("$root/scripts/peer/setup-peer.sh" | tail -1)"
args=("$@")
[ ${#args[@]} -gt 0 ] || args=(--steps 2000 --threads 2)
LD_LIBRARY_PATH="$libdir" /usr/bin/python3 - <<'PY'
import torch, os
a = torch.randn(256, 256); (a @ a).sum()
libs = sorted({l.split()[-1] for l in open('/proc/self/maps') if 'blas' in l.lower()})
print("peer BLAS:", ", ".join(os.path.basename(x) + " (" + os.path.dirname(x) + ")" for x in libs))
PY
LD_LIBRARY_PATH="$libdir" exec /usr/bin/python3 "$root/../shared/reference/peer_iql.py" "${args[@]}"
