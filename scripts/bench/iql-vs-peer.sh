#!/usr/bin/env bash
# IQL gradient steps per second, Fulcrum (DJL + PyTorch 2.7.1 engine) against the PyTorch peer (Debian torch on
# OpenBLAS-OpenMP), same machine, same sizes (2x256 MLPs, batch 256, obs 17, act 6), runs interleaved so that drift
# and noise hit both. Usage: scripts/bench/iql-vs-peer.sh [ROUNDS] [STEPS]; output is the raw lines of every run.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
rounds="${1:-3}"
steps="${2:-2000}"
cd "$root"
bin/fulcrum --version >/dev/null   # builds if needed, outside the timed runs
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
for r in $(seq 1 "$rounds"); do
  echo "## round $r"
  echo "### fulcrum lanes=2 (critic update on a second core), 1 intra-op thread"
  bin/fulcrum bench iql --steps "$steps" --lanes 2 | tail -2
  echo "### fulcrum lanes=1 (sequential), 1 intra-op thread"
  bin/fulcrum bench iql --steps "$steps" --lanes 1 | tail -2
  echo "### peer threads=2"
  scripts/peer/run-peer-iql.sh --steps "$steps" --threads 2 2>/dev/null | tail -2
  echo "### peer threads=1"
  scripts/peer/run-peer-iql.sh --steps "$steps" --threads 1 2>/dev/null | tail -2
done
