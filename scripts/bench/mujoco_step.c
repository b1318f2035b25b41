/*
 * The C side of Fulcrum's MuJoCo throughput comparison (docs/results/mujoco-throughput.md): loads an MJCF file and steps
 * it with uniform random controls, exactly as `fulcrum bench mujoco` does through the Java binding: each "env step"
 * draws new controls and then calls mj_step frame_skip times. No resets (physics throughput only).
 *
 *   usage: mujoco_step MODEL.xml ENV_STEPS FRAME_SKIP WARMUP_ENV_STEPS SEED
 * Built and run by scripts/bench/mujoco-throughput.sh.
 */
#include <mujoco/mujoco.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static uint64_t rng_state;

/* splitmix64; `fulcrum bench mujoco` uses the same generator, so from the same seed both loops apply the same controls,
 * follow the same trajectory and print the same final x. */
static double uniform01(void) {
  uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return (z >> 11) * 0x1.0p-53;
}

static void run(const mjModel *m, mjData *d, long env_steps, int frame_skip) {
  for (long s = 0; s < env_steps; s++) {
    for (int i = 0; i < m->nu; i++) {
      double lo = m->actuator_ctrlrange[2 * i], hi = m->actuator_ctrlrange[2 * i + 1];
      d->ctrl[i] = lo + (hi - lo) * uniform01();
    }
    for (int f = 0; f < frame_skip; f++) {
      mj_step(m, d);
    }
  }
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: %s MODEL.xml ENV_STEPS FRAME_SKIP WARMUP_ENV_STEPS SEED\n", argv[0]);
    return 2;
  }
  long env_steps = atol(argv[2]), warmup = atol(argv[4]);
  int frame_skip = atoi(argv[3]);
  rng_state = strtoull(argv[5], NULL, 10);
  char error[1000] = "";
  mjModel *m = mj_loadXML(argv[1], NULL, error, sizeof error);
  if (!m) {
    fprintf(stderr, "could not load %s: %s\n", argv[1], error);
    return 1;
  }
  mjData *d = mj_makeData(m);
  run(m, d, warmup, frame_skip);
  struct timespec t0, t1, c0, c1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
  run(m, d, env_steps, frame_skip);
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double wall = (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec);
  double cpu = (c1.tv_sec - c0.tv_sec) + 1e-9 * (c1.tv_nsec - c0.tv_nsec);
  /* Same line format as `fulcrum bench mujoco`. cpu: this thread's CPU time, which other jobs on the machine disturb
   * far less than wall-clock time. */
  printf("C (MuJoCo %s) model=%s frame_skip=%d: %ld env steps, wall %.3f s, cpu %.3f s => %.0f env steps/s wall, "
         "%.0f env steps/s cpu, %.0f mj_step/s cpu (x=%.3f)\n",
         mj_versionString(), argv[1], frame_skip, env_steps, wall, cpu, env_steps / wall, env_steps / cpu,
         env_steps * (double) frame_skip / cpu, d->qpos[0]);
  mj_deleteData(d);
  mj_deleteModel(m);
  return 0;
}
