/*
 * Fulcrum's shim between Java (java.lang.foreign) and MuJoCo 2.2.x.
 *
 * Why a shim: MuJoCo reports fatal errors through mju_error, whose default handler waits for a key press and then calls
 * exit(1); a handler that simply returns lets MuJoCo carry on in a broken state, and a Java exception thrown from an FFM
 * upcall ends the JVM. Here every exported call that enters MuJoCo runs under setjmp, the installed error handler copies
 * the message and longjmps back, and the call returns a failure code that Java turns into an exception. Warnings
 * (unstable simulation and the like) are counted and their text kept, never printed or written to MUJOCO_LOG.TXT.
 *
 * The jump target and messages are thread-local, so separate simulations may run on separate threads.
 * Built by dev.fulcrum.control.env.mujoco.MujocoLibrary at first use:
 *   gcc -O2 -shared -fPIC -o libfulcrum_mujoco.so fulcrum_mujoco.c -lmujoco
 */
#include <mujoco/mujoco.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#define FM_MESSAGE 1024

static __thread jmp_buf *fm_jump;             /* where mju_error returns to; NULL outside a guarded call */
static __thread char fm_error_text[FM_MESSAGE];
static __thread char fm_warning_text[FM_MESSAGE];
static __thread long fm_warning_count;

static void fm_copy(char *dst, const char *src) {
  strncpy(dst, src ? src : "(no message)", FM_MESSAGE - 1);
  dst[FM_MESSAGE - 1] = '\0';
}

static void fm_on_error(const char *msg) {
  fm_copy(fm_error_text, msg);
  if (fm_jump) {
    longjmp(*fm_jump, 1);
  }
  /* Unreachable from Java: every exported function that enters MuJoCo is guarded. Failing loudly beats continuing. */
  abort();
}

static void fm_on_warning(const char *msg) {
  fm_copy(fm_warning_text, msg);
  fm_warning_count++;
}

/* Runs BODY with mju_error redirected here; on an error evaluates to FAIL (the message is in fm_error_text). */
#define FM_GUARDED(FAIL, BODY)                  \
  do {                                          \
    jmp_buf fm_here;                            \
    jmp_buf *fm_outer = fm_jump;                \
    fm_jump = &fm_here;                         \
    if (setjmp(fm_here)) {                      \
      fm_jump = fm_outer;                       \
      return FAIL;                              \
    }                                           \
    BODY;                                       \
    fm_jump = fm_outer;                         \
  } while (0)

/* Installs the handlers; returns the library's version (mj_version()). */
int fm_install(void) {
  mju_user_error = fm_on_error;
  mju_user_warning = fm_on_warning;
  return mj_version();
}

/* The MuJoCo version this shim was compiled against (mjVERSION_HEADER). */
int fm_header_version(void) {
  return mjVERSION_HEADER;
}

const char *fm_last_error(void) {
  return fm_error_text;
}

const char *fm_last_warning(void) {
  return fm_warning_text;
}

/* How many warnings this thread's handler has received. */
long fm_warning_total(void) {
  return fm_warning_count;
}

/* Loads an MJCF file; NULL on failure, with the reason in err (compiler messages) or fm_last_error (mju_error). */
mjModel *fm_load_file(const char *path, char *err, int err_len) {
  mjModel *m = NULL;
  err[0] = '\0';
  fm_error_text[0] = '\0';
  FM_GUARDED(NULL, m = mj_loadXML(path, NULL, err, err_len));
  return m;
}

/* Loads MJCF text through a one-file virtual file system (so no temporary file is written). */
mjModel *fm_load_string(const char *xml, char *err, int err_len) {
  static const char name[] = "model.xml";
  int size = (int) strlen(xml);
  mjModel *m = NULL;
  mjVFS *vfs = malloc(sizeof(mjVFS)); /* about 2 MB: too big for the stack */
  err[0] = '\0';
  fm_error_text[0] = '\0';
  if (!vfs) {
    strncpy(err, "out of memory for the virtual file system", err_len - 1);
    return NULL;
  }
  mj_defaultVFS(vfs);
  if (mj_makeEmptyFileVFS(vfs, name, size) != 0) {
    strncpy(err, "could not create the in-memory model file", err_len - 1);
    free(vfs);
    return NULL;
  }
  memcpy(vfs->filedata[mj_findFileVFS(vfs, name)], xml, size);
  {
    jmp_buf here;
    jmp_buf *outer = fm_jump;
    fm_jump = &here;
    if (setjmp(here)) {
      fm_jump = outer;
      mj_deleteVFS(vfs);
      free(vfs);
      return NULL;
    }
    m = mj_loadXML(name, vfs, err, err_len);
    fm_jump = outer;
  }
  mj_deleteVFS(vfs);
  free(vfs);
  return m;
}

mjData *fm_make_data(const mjModel *m) {
  mjData *d = NULL;
  fm_error_text[0] = '\0';
  FM_GUARDED(NULL, d = mj_makeData(m));
  return d;
}

void fm_free(mjModel *m, mjData *d) {
  if (d) {
    mj_deleteData(d);
  }
  if (m) {
    mj_deleteModel(m);
  }
}

/* mj_resetData: qpos = qpos0, everything else zero. 0 on success, -1 on an error. */
int fm_reset(const mjModel *m, mjData *d) {
  FM_GUARDED(-1, mj_resetData(m, d));
  return 0;
}

/* mj_forward: recomputes derived quantities after qpos/qvel were written. 0 on success, -1 on an error. */
int fm_forward(const mjModel *m, mjData *d) {
  FM_GUARDED(-1, mj_forward(m, d));
  return 0;
}

/*
 * Steps the simulation `frames` times with the controls already in d->ctrl. Returns 0 normally, -1 on an error, else a
 * bitmask with bit i set when MuJoCo raised warning i (mjtWarning) meanwhile; its text is then in fm_last_warning().
 * The warning counters are cleared before each step so that MuJoCo reports every occurrence, not only the first one
 * (mjWARN_BADQACC means the simulation went unstable and MuJoCo reset the state to qpos0).
 */
int fm_step(const mjModel *m, mjData *d, int frames) {
  volatile int mask = 0; /* volatile: modified between setjmp and a possible longjmp */
  FM_GUARDED(-1, for (int f = 0; f < frames; f++) {
    for (int i = 0; i < mjNWARNING; i++) {
      d->warning[i].number = 0;
    }
    mj_step(m, d);
    for (int i = 0; i < mjNWARNING; i++) {
      if (d->warning[i].number) {
        mask |= 1 << i;
      }
    }
  });
  return mask;
}

/* mj_rnePostConstraint: fills cacc, cfrc_int and cfrc_ext (contact forces), which mj_step leaves stale. */
int fm_rne_post_constraint(const mjModel *m, mjData *d) {
  FM_GUARDED(-1, mj_rnePostConstraint(m, d));
  return 0;
}

/* Model sizes and constants. */
int fm_nq(const mjModel *m) { return m->nq; }
int fm_nv(const mjModel *m) { return m->nv; }
int fm_nu(const mjModel *m) { return m->nu; }
int fm_nbody(const mjModel *m) { return m->nbody; }
double fm_timestep(const mjModel *m) { return m->opt.timestep; }
const mjtNum *fm_qpos0(const mjModel *m) { return m->qpos0; }
const mjtNum *fm_ctrlrange(const mjModel *m) { return m->actuator_ctrlrange; }   /* nu x 2 */
const mjtByte *fm_ctrllimited(const mjModel *m) { return m->actuator_ctrllimited; } /* nu */

/* Body id by name (-1 if absent). */
int fm_body_id(const mjModel *m, const char *name) {
  return mj_name2id(m, mjOBJ_BODY, name);
}

/* Arrays inside mjData: stable for the data's lifetime, read and written in place from Java. */
mjtNum *fm_qpos(mjData *d) { return d->qpos; }         /* nq */
mjtNum *fm_qvel(mjData *d) { return d->qvel; }         /* nv */
mjtNum *fm_ctrl(mjData *d) { return d->ctrl; }         /* nu */
mjtNum *fm_xpos(mjData *d) { return d->xpos; }         /* nbody x 3 */
mjtNum *fm_cfrc_ext(mjData *d) { return d->cfrc_ext; } /* nbody x 6 */
mjtNum *fm_time(mjData *d) { return &d->time; }        /* 1 */
