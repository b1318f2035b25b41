#!/usr/bin/env bash
# MuJoCo stepping throughput: plain C (scripts/bench/mujoco_step.c, compiled here with gcc -O2) against Fulcrum's Java
# binding (`fulcrum bench mujoco --mode binding`), on the same MJCF files from src/main/resources, same work per env step
# (uniform random controls from the same splitmix64 generator and seed, then mj_step x frame skip: both follow the same
# trajectory and print the same final x), runs interleaved (the order alternates each round) so that drift
# and noise from other jobs on the machine hit both. Each run warms up untimed first.
# Usage: scripts/bench/mujoco-throughput.sh [ROUNDS] [ENV_STEPS] [ENVS...]; output is the raw lines of every run, then
# per environment the Java/C ratio of env steps/s in each round (paired: same round, back to back) and their median.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
rounds="${1:-3}"
steps="${2:-20000}"
shift $(( $# > 2 ? 2 : $# ))
envs=("$@")
[ ${#envs[@]} -gt 0 ] || envs=(halfcheetah hopper walker2d)
cd "$root"
models="src/main/resources/dev/fulcrum/control/env/mujoco"
exe="$(mktemp -d)/mujoco_step"
gcc -O2 -o "$exe" scripts/bench/mujoco_step.c -lmujoco
bin/fulcrum --version >/dev/null   # builds if needed, outside the timed runs
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load $(cut -d' ' -f1-3 /proc/loadavg)"
frame_skip() { case "$1" in halfcheetah) echo 5 ;; *) echo 4 ;; esac; }
for r in $(seq 1 "$rounds"); do
  echo "## round $r"
  for env in "${envs[@]}"; do
    run_c() { "$exe" "$models/$env.xml" "$steps" "$(frame_skip "$env")" 2000 "$r"; }
    run_java() { bin/fulcrum bench mujoco --env "$env" --steps "$steps" --warmup 2000 --seed "$r" --mode binding; }
    if [ $((r % 2)) -eq 1 ]; then run_c; run_java; else run_java; run_c; fi
  done
done | tee "$(dirname "$exe")/raw.txt"
echo "## Java/C throughput ratio per round (paired, back to back; 1.00 = same speed), by wall-clock and by CPU time"
for basis in wall cpu; do
  awk -v basis="$basis" '/^## round/ { r = $3 }
     /model=/ { match($0, /model=[^ ]*/); m = substr($0, RSTART + 6, RLENGTH - 6); sub(/.*\//, "", m); sub(/\.xml$/, "", m)
                match($0, "[0-9]+ env steps/s " basis); v = substr($0, RSTART, RLENGTH) + 0
                if ($1 == "C") c[m, r] = v; else j[m, r] = v; models[m] = 1; if (r > nr) nr = r }
     END { for (m in models) { line = sprintf("%-12s %s:", m, basis); n = 0
             for (i = 1; i <= nr; i++) if (c[m, i] > 0 && j[m, i] > 0) { x[++n] = j[m, i] / c[m, i]; line = line sprintf(" %.3f", x[n]) }
             for (a = 2; a <= n; a++) for (b = a; b > 1 && x[b - 1] > x[b]; b--) { t = x[b]; x[b] = x[b - 1]; x[b - 1] = t }
             med = (n % 2) ? x[(n + 1) / 2] : (x[n / 2] + x[n / 2 + 1]) / 2
             print line sprintf("  median %.3f", med); delete x } }' "$(dirname "$exe")/raw.txt"
done
rm -rf "$(dirname "$exe")"
