#!/usr/bin/env bash
# Language-model throughput, Fulcrum (DJL + PyTorch 2.7.1 engine) against the PyTorch peer (Debian torch on
# OpenBLAS-OpenMP), same machine, same model (Llama-style: hidden 256, 4 layers, 4 heads, 2 kv heads, MLP 704, vocab
# 512), same work (training steps on batch 8 x seq 128; batched sampling of 8 x 112 new tokens after 16-token prompts
# with a KV cache), runs interleaved so that drift and noise hit both, 1 and 2 intra-op threads each.
# Usage: scripts/bench/lm-vs-peer.sh [ROUNDS] [STEPS] [GEN_ROUNDS]; output is the raw lines of every run.
#   THREADS="1 2" (default) lists the intra-op thread counts to run; LANES=2 adds a Fulcrum run decoding on two lanes.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
rounds="${1:-3}"
steps="${2:-20}"
gen_rounds="${3:-2}"
cd "$root"
bin/fulcrum --version >/dev/null   # builds if needed, outside the timed runs
scripts/peer/setup-peer.sh >/dev/null
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$rounds"); do
  echo "## round $r (load $(cut -d' ' -f1-3 /proc/loadavg))"
  for threads in ${THREADS:-1 2}; do
    echo "### fulcrum threads=$threads"
    FULCRUM_THREADS=$threads bin/fulcrum bench lm --steps "$steps" --rounds "$gen_rounds" 2>/dev/null | tail -3
    echo "### peer threads=$threads"
    scripts/peer/run-peer-lm.sh --steps "$steps" --rounds "$gen_rounds" --threads "$threads" 2>/dev/null | tail -3
  done
  if [ "${LANES:-1}" = 2 ]; then
    echo "### fulcrum threads=1 lanes=2"
    FULCRUM_THREADS=1 bin/fulcrum bench lm --steps "$steps" --rounds "$gen_rounds" --lanes 2 2>/dev/null | tail -3
  fi
done
