/*
 * DittoFS NFSv3 benchmark on libnfs's async raw API: many requests in flight on one TCP
 * connection, so the figures measure the server, not the client's round trips.
 *
 * Build: gcc -O2 -Wall -o nfsbench bench/nfs/nfsbench.c -lnfs
 * Usage: nfsbench --nfsport P --mountport M [--export /export] [--server 127.0.0.1]
 *                 --test seqwrite|seqread|randread|randwrite|creates|listdir|stat|remove
 *                 [--dir NAME] [--size 1024] (MiB, sequential file) [--io 1024] (KiB)
 *                 [--rand-size 256] (MiB) [--seconds 10] [--depth 16]
 *   seqwrite  : WRITE UNSTABLE --io chunks over a --size file, then COMMIT (timed together)
 *   seqread   : READ it back in --io chunks, checking every byte
 *   randread  : 4 KiB READs at random 4 KiB-aligned offsets of a --rand-size file, --seconds
 *   randwrite : 4 KiB WRITE UNSTABLE at random offsets, --seconds, then COMMIT (timed)
 *   creates   : CREATE + WRITE 4 KiB + COMMIT per file, --depth files in flight, --seconds
 *   listdir   : a new directory of --entries empty files (made untimed), listed whole by
 *               READDIRPLUS pages one after the other (as a client lists it), 5 times: the
 *               first listing's time and the median of the others, in entries/s
 *   stat      : a new directory of --entries files (made untimed), then LOOKUP + GETATTR of
 *               name after name (what stat() of an uncached path costs), --depth in flight,
 *               --seconds, in files/s with the latency of each LOOKUP + GETATTR pair
 *   remove    : a new directory of --entries files (made untimed), then REMOVE of each,
 *               --depth in flight, in files/s
 * Output: "# ..." commentary and "result <name> <value> <unit>" lines; exit 0, or 1 on any
 * error (the first error is printed as "error: ...").
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw.h>
#include <nfsc/libnfs-raw-mount.h>
#include <nfsc/libnfs-raw-nfs.h>

static const char *o_server = "127.0.0.1", *o_export = "/export", *o_test = NULL, *o_dir = "nfsbench";
static int o_nfsport, o_mountport, o_depth = 16, o_seconds = 10, o_entries = 10000;
static uint64_t o_size = 1024ULL << 20, o_io = 1 << 20, o_rand_size = 256ULL << 20;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static char g_err[1024];
static int g_failed;
static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...) {
  if (g_failed) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(g_err, sizeof g_err, fmt, ap);
  va_end(ap);
  g_failed = 1;
}

/* ---------------------------------------------------------------- event loop */

static struct rpc_context *rpc;

/* services the connection until *flag becomes non-zero, an error, or timeout */
static int pump_until(volatile int *flag, double timeout_s) {
  double deadline = now_s() + timeout_s;
  while (!*flag && !g_failed) {
    struct pollfd pfd = {.fd = rpc_get_fd(rpc), .events = (short)rpc_which_events(rpc)};
    int n = poll(&pfd, 1, 100);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("poll: %s", strerror(errno));
      break;
    }
    if (rpc_service(rpc, n > 0 ? pfd.revents : 0) < 0) {
      fail("rpc_service: %s", rpc_get_error(rpc));
      break;
    }
    if (now_s() > deadline) {
      fail("timed out after %.0f s", timeout_s);
      break;
    }
  }
  return g_failed ? -1 : 0;
}

/* ---------------------------------------------------------------- sync setup calls */

struct fhb {
  u_int len;
  char d[NFS3_FHSIZE];
};
static nfs_fh3 fh3(const struct fhb *b) {
  nfs_fh3 f;
  f.data.data_len = b->len;
  f.data.data_val = (char *)b->d;
  return f;
}
static int fh_from(struct fhb *b, u_int len, const char *v) {
  if (len > NFS3_FHSIZE) return -1;
  b->len = len;
  memcpy(b->d, v, len);
  return 0;
}

struct sres {
  volatile int done;
  int rpc_status;
  int status;
  struct fhb fh;
  int has_fh;
  fattr3 attr;
  int has_attr;
  uint32_t u1, u2;
  char msg[256];
};

static void sync_cb(struct rpc_context *r, int status, void *data, void *priv, void (*h)(void *, struct sres *)) {
  struct sres *s = priv;
  (void)r;
  s->rpc_status = status;
  if (status == RPC_STATUS_SUCCESS) {
    h(data, s);
  } else {
    s->status = -1;
    snprintf(s->msg, sizeof s->msg, "%s", status == RPC_STATUS_ERROR && data ? (char *)data : "rpc failure");
  }
  s->done = 1;
}

#define HANDLER(name, body)                                                                                            \
  static void name##_h(void *data, struct sres *s) body static void name##_cb(struct rpc_context *r, int st, void *d,  \
                                                                               void *p) {                             \
    sync_cb(r, st, d, p, name##_h);                                                                                    \
  }

HANDLER(mnt, {
  mountres3 *m = data;
  s->status = m->fhs_status;
  if (m->fhs_status == MNT3_OK)
    s->has_fh = fh_from(&s->fh, m->mountres3_u.mountinfo.fhandle.fhandle3_len,
                        m->mountres3_u.mountinfo.fhandle.fhandle3_val) == 0;
})
HANDLER(lookup, {
  LOOKUP3res *x = data;
  s->status = x->status;
  if (x->status == NFS3_OK) {
    s->has_fh = fh_from(&s->fh, x->LOOKUP3res_u.resok.object.data.data_len,
                        x->LOOKUP3res_u.resok.object.data.data_val) == 0;
    if (x->LOOKUP3res_u.resok.obj_attributes.attributes_follow) {
      s->attr = x->LOOKUP3res_u.resok.obj_attributes.post_op_attr_u.attributes;
      s->has_attr = 1;
    }
  }
})
/* MKDIR and CREATE both answer with the new object's handle. */
#define NEW_OBJECT_HANDLER(name, RES)                                                                                 \
  HANDLER(name, {                                                                                                      \
    RES *x = data;                                                                                                     \
    s->status = x->status;                                                                                             \
    if (x->status == NFS3_OK && x->RES##_u.resok.obj.handle_follows)                                                  \
      s->has_fh = fh_from(&s->fh, x->RES##_u.resok.obj.post_op_fh3_u.handle.data.data_len,                           \
                          x->RES##_u.resok.obj.post_op_fh3_u.handle.data.data_val) == 0;                             \
  })
NEW_OBJECT_HANDLER(mkdir, MKDIR3res)
NEW_OBJECT_HANDLER(create, CREATE3res)
HANDLER(fsinfo, {
  FSINFO3res *x = data;
  s->status = x->status;
  if (x->status == NFS3_OK) {
    s->u1 = x->FSINFO3res_u.resok.rtmax;
    s->u2 = x->FSINFO3res_u.resok.wtmax;
  }
})
HANDLER(commit, {
  COMMIT3res *x = data;
  s->status = x->status;
})
HANDLER(getattr, {
  GETATTR3res *x = data;
  s->status = x->status;
  if (x->status == NFS3_OK) {
    s->attr = x->GETATTR3res_u.resok.obj_attributes;
    s->has_attr = 1;
  }
})

static int sync_wait(struct sres *s, int queued, const char *what) {
  if (queued != 0) {
    fail("%s: could not queue: %s", what, rpc_get_error(rpc));
    return -1;
  }
  if (pump_until(&s->done, 120) != 0) return -1;
  if (s->rpc_status != RPC_STATUS_SUCCESS) {
    fail("%s: %s", what, s->msg);
    return -1;
  }
  return 0;
}

static int do_lookup(const struct fhb *dir, const char *name, struct sres *s) {
  memset(s, 0, sizeof *s);
  LOOKUP3args a;
  a.what.dir = fh3(dir);
  a.what.name = (char *)name;
  return sync_wait(s, rpc_nfs3_lookup_async(rpc, lookup_cb, &a, s), "LOOKUP");
}

static int ensure_dir(const struct fhb *parent, const char *name, struct fhb *out) {
  struct sres s;
  memset(&s, 0, sizeof s);
  MKDIR3args a;
  memset(&a, 0, sizeof a);
  a.where.dir = fh3(parent);
  a.where.name = (char *)name;
  a.attributes.mode.set_it = 1;
  a.attributes.mode.set_mode3_u.mode = 0755;
  if (sync_wait(&s, rpc_nfs3_mkdir_async(rpc, mkdir_cb, &a, &s), "MKDIR") != 0) return -1;
  if (s.status == NFS3_OK && s.has_fh) {
    *out = s.fh;
    return 0;
  }
  if (s.status != NFS3_OK && s.status != NFS3ERR_EXIST) {
    fail("MKDIR %s: nfsstat3 %d", name, s.status);
    return -1;
  }
  if (do_lookup(parent, name, &s) != 0) return -1;
  if (s.status != NFS3_OK || !s.has_fh) {
    fail("LOOKUP %s: nfsstat3 %d", name, s.status);
    return -1;
  }
  *out = s.fh;
  return 0;
}

/* CREATE UNCHECKED with size 0 (truncates an existing file) */
static int create_file(const struct fhb *dir, const char *name, struct fhb *out) {
  struct sres s;
  memset(&s, 0, sizeof s);
  CREATE3args a;
  memset(&a, 0, sizeof a);
  a.where.dir = fh3(dir);
  a.where.name = (char *)name;
  a.how.mode = UNCHECKED;
  a.how.createhow3_u.obj_attributes.mode.set_it = 1;
  a.how.createhow3_u.obj_attributes.mode.set_mode3_u.mode = 0644;
  a.how.createhow3_u.obj_attributes.size.set_it = 1;
  a.how.createhow3_u.obj_attributes.size.set_size3_u.size = 0;
  if (sync_wait(&s, rpc_nfs3_create_async(rpc, create_cb, &a, &s), "CREATE") != 0) return -1;
  if (s.status != NFS3_OK) {
    fail("CREATE %s: nfsstat3 %d", name, s.status);
    return -1;
  }
  if (s.has_fh) {
    *out = s.fh;
    return 0;
  }
  if (do_lookup(dir, name, &s) != 0 || s.status != NFS3_OK) {
    fail("LOOKUP %s after CREATE: nfsstat3 %d", name, s.status);
    return -1;
  }
  *out = s.fh;
  return 0;
}

static int commit_file(const struct fhb *fh) {
  struct sres s;
  memset(&s, 0, sizeof s);
  COMMIT3args a;
  a.file = fh3(fh);
  a.offset = 0;
  a.count = 0;
  if (sync_wait(&s, rpc_nfs3_commit_async(rpc, commit_cb, &a, &s), "COMMIT") != 0) return -1;
  if (s.status != NFS3_OK) {
    fail("COMMIT: nfsstat3 %d", s.status);
    return -1;
  }
  return 0;
}

/* ---------------------------------------------------------------- data */

static uint8_t *base; /* 1 block of pseudo-random bytes; block at offset o = base with o stamped in front */
static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;
static uint64_t rng(void) {
  uint64_t x = rng_state;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return rng_state = x;
}

static void make_block(uint8_t *dst, uint64_t off, uint32_t len) {
  memcpy(dst, base, len);
  if (len >= 8) memcpy(dst, &off, 8);
}

static int block_ok(const uint8_t *got, uint64_t off, uint32_t len) {
  if (len >= 8) {
    uint64_t o;
    memcpy(&o, got, 8);
    if (o != off) return 0;
    return memcmp(got + 8, base + 8, len - 8) == 0;
  }
  return memcmp(got, base, len) == 0;
}

/* ---------------------------------------------------------------- async I/O engine */

struct slot {
  int idx;
  uint8_t *buf;
  uint64_t off;
  uint32_t len;
  double t0;
  /* creates */
  int state;
  struct fhb fh;
  char name[64];
};

static struct slot *slots;
static struct fhb file_fh, dir_fh;
static int inflight;
static volatile int all_done;
static uint64_t next_off, end_off, bytes_done, ops_done;
static double t_deadline;
static int verify_reads = 1;
static double *lat;
static size_t nlat, caplat;

static void record_lat(double s) {
  if (nlat == caplat) {
    caplat = caplat ? caplat * 2 : 65536;
    lat = realloc(lat, caplat * sizeof *lat);
  }
  lat[nlat++] = s;
}

static int cmp_dbl(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

enum mode { M_SEQW, M_SEQR, M_RANDR, M_RANDW };
static enum mode mode;
static uint32_t io_len;

static void issue(struct slot *s);

static void io_done(struct slot *s) {
  inflight--;
  bytes_done += s->len;
  ops_done++;
  if (mode == M_RANDR || mode == M_RANDW) record_lat(now_s() - s->t0);
  if (!g_failed) issue(s);
  if (inflight == 0) all_done = 1;
}

static void write_cb(struct rpc_context *r, int status, void *data, void *priv) {
  struct slot *s = priv;
  (void)r;
  if (status != RPC_STATUS_SUCCESS) {
    fail("WRITE at %" PRIu64 ": %s", s->off, status == RPC_STATUS_ERROR && data ? (char *)data : "rpc failure");
  } else {
    WRITE3res *x = data;
    if (x->status != NFS3_OK)
      fail("WRITE at %" PRIu64 ": nfsstat3 %d", s->off, x->status);
    else if (x->WRITE3res_u.resok.count != s->len)
      fail("WRITE at %" PRIu64 ": short write %u of %u", s->off, x->WRITE3res_u.resok.count, s->len);
  }
  io_done(s);
}

static void read_cb(struct rpc_context *r, int status, void *data, void *priv) {
  struct slot *s = priv;
  (void)r;
  if (status != RPC_STATUS_SUCCESS) {
    fail("READ at %" PRIu64 ": %s", s->off, status == RPC_STATUS_ERROR && data ? (char *)data : "rpc failure");
  } else {
    READ3res *x = data;
    if (x->status != NFS3_OK)
      fail("READ at %" PRIu64 ": nfsstat3 %d", s->off, x->status);
    else if (x->READ3res_u.resok.count != s->len || x->READ3res_u.resok.data.data_len != s->len)
      fail("READ at %" PRIu64 ": short read %u of %u", s->off, x->READ3res_u.resok.count, s->len);
    else if (mode == M_SEQR && verify_reads &&
             !block_ok((const uint8_t *)x->READ3res_u.resok.data.data_val, s->off, s->len))
      fail("READ at %" PRIu64 ": data differs from what was written", s->off);
  }
  io_done(s);
}

static void issue(struct slot *s) {
  if (g_failed) return;
  if (mode == M_SEQW || mode == M_SEQR) {
    if (next_off >= end_off) return;
    s->off = next_off;
    s->len = (uint32_t)(end_off - next_off < io_len ? end_off - next_off : io_len);
    next_off += s->len;
  } else {
    if (now_s() >= t_deadline) return;
    uint64_t blocks = o_rand_size / io_len;
    s->off = (rng() % blocks) * io_len;
    s->len = io_len;
  }
  s->t0 = now_s();
  int q;
  if (mode == M_SEQW || mode == M_RANDW) {
    if (mode == M_SEQW)
      make_block(s->buf, s->off, s->len);
    else
      memcpy(s->buf, &s->off, 8);
    WRITE3args a;
    a.file = fh3(&file_fh);
    a.offset = s->off;
    a.count = s->len;
    a.stable = UNSTABLE;
    a.data.data_len = s->len;
    a.data.data_val = (char *)s->buf;
    q = rpc_nfs3_write_async(rpc, write_cb, &a, s);
  } else {
    READ3args a;
    a.file = fh3(&file_fh);
    a.offset = s->off;
    a.count = s->len;
    q = rpc_nfs3_read_async(rpc, read_cb, &a, s);
  }
  if (q != 0) {
    fail("could not queue I/O: %s", rpc_get_error(rpc));
    return;
  }
  inflight++;
}

static int run_engine(double timeout_s) {
  all_done = 0;
  inflight = 0;
  for (int i = 0; i < o_depth; i++) issue(&slots[i]);
  if (inflight == 0) return g_failed ? -1 : 0;
  int rc = pump_until(&all_done, timeout_s);
  if (g_failed) {
    /* let what is in flight drain so the connection closes cleanly */
    int f = g_failed;
    g_failed = 0;
    double d = now_s() + 10;
    while (inflight > 0 && now_s() < d) {
      struct pollfd pfd = {.fd = rpc_get_fd(rpc), .events = (short)rpc_which_events(rpc)};
      if (poll(&pfd, 1, 100) < 0) break;
      if (rpc_service(rpc, pfd.revents) < 0) break;
    }
    g_failed = f;
    return -1;
  }
  return rc;
}

/* ---------------------------------------------------------------- creates */

static uint64_t files_done, file_seq;
static const char create_data[4096] = "nfsbench create+write+commit";

static void create_step(struct slot *s);

static void create_chain_done(struct slot *s) {
  files_done++;
  inflight--;
  if (!g_failed && now_s() < t_deadline) create_step(s);
  if (inflight == 0) all_done = 1;
}

static void c_commit_cb(struct rpc_context *r, int status, void *data, void *priv) {
  struct slot *s = priv;
  (void)r;
  if (status != RPC_STATUS_SUCCESS || ((COMMIT3res *)data)->status != NFS3_OK)
    fail("COMMIT of %s: %s", s->name, status == RPC_STATUS_SUCCESS ? "nfsstat3 error" : "rpc failure");
  create_chain_done(s);
}

static void c_write_cb(struct rpc_context *r, int status, void *data, void *priv) {
  struct slot *s = priv;
  (void)r;
  if (status != RPC_STATUS_SUCCESS || ((WRITE3res *)data)->status != NFS3_OK) {
    fail("WRITE of %s: %s", s->name, status == RPC_STATUS_SUCCESS ? "nfsstat3 error" : "rpc failure");
    inflight--;
    if (inflight == 0) all_done = 1;
    return;
  }
  COMMIT3args a;
  a.file = fh3(&s->fh);
  a.offset = 0;
  a.count = 0;
  if (rpc_nfs3_commit_async(rpc, c_commit_cb, &a, s) != 0) {
    fail("queue COMMIT: %s", rpc_get_error(rpc));
    inflight--;
    if (inflight == 0) all_done = 1;
  }
}

static void c_after_fh(struct slot *s) {
  WRITE3args a;
  a.file = fh3(&s->fh);
  a.offset = 0;
  a.count = sizeof create_data;
  a.stable = UNSTABLE;
  a.data.data_len = sizeof create_data;
  a.data.data_val = (char *)create_data;
  if (rpc_nfs3_write_async(rpc, c_write_cb, &a, s) != 0) {
    fail("queue WRITE: %s", rpc_get_error(rpc));
    inflight--;
    if (inflight == 0) all_done = 1;
  }
}

static void c_lookup_cb(struct rpc_context *r, int status, void *data, void *priv) {
  struct slot *s = priv;
  (void)r;
  LOOKUP3res *x = data;
  if (status != RPC_STATUS_SUCCESS || x->status != NFS3_OK ||
      fh_from(&s->fh, x->LOOKUP3res_u.resok.object.data.data_len, x->LOOKUP3res_u.resok.object.data.data_val) != 0) {
    fail("LOOKUP of %s failed", s->name);
    inflight--;
    if (inflight == 0) all_done = 1;
    return;
  }
  c_after_fh(s);
}

static void c_create_cb(struct rpc_context *r, int status, void *data, void *priv) {
  struct slot *s = priv;
  (void)r;
  CREATE3res *x = data;
  if (status != RPC_STATUS_SUCCESS || x->status != NFS3_OK) {
    fail("CREATE of %s: %s %d", s->name, status == RPC_STATUS_SUCCESS ? "nfsstat3" : "rpc failure",
         status == RPC_STATUS_SUCCESS ? (int)x->status : status);
    inflight--;
    if (inflight == 0) all_done = 1;
    return;
  }
  if (x->CREATE3res_u.resok.obj.handle_follows &&
      fh_from(&s->fh, x->CREATE3res_u.resok.obj.post_op_fh3_u.handle.data.data_len,
              x->CREATE3res_u.resok.obj.post_op_fh3_u.handle.data.data_val) == 0) {
    c_after_fh(s);
    return;
  }
  LOOKUP3args a;
  a.what.dir = fh3(&dir_fh);
  a.what.name = s->name;
  if (rpc_nfs3_lookup_async(rpc, c_lookup_cb, &a, s) != 0) {
    fail("queue LOOKUP: %s", rpc_get_error(rpc));
    inflight--;
    if (inflight == 0) all_done = 1;
  }
}

static void create_step(struct slot *s) {
  snprintf(s->name, sizeof s->name, "f%d-%08" PRIu64, (int)getpid(), file_seq++);
  CREATE3args a;
  memset(&a, 0, sizeof a);
  a.where.dir = fh3(&dir_fh);
  a.where.name = s->name;
  a.how.mode = GUARDED;
  a.how.createhow3_u.obj_attributes.mode.set_it = 1;
  a.how.createhow3_u.obj_attributes.mode.set_mode3_u.mode = 0644;
  if (rpc_nfs3_create_async(rpc, c_create_cb, &a, s) != 0) {
    fail("queue CREATE: %s", rpc_get_error(rpc));
    return;
  }
  inflight++;
}

/* ---------------------------------------------------------------- listdir */

static uint64_t made;
static void l_create_cb(struct rpc_context *r, int status, void *data, void *priv);
static void l_create(struct slot *s) {
  if (g_failed || made >= (uint64_t)o_entries) {
    if (--inflight == 0) all_done = 1;
    return;
  }
  snprintf(s->name, sizeof s->name, "entry-%06" PRIu64, made++);
  CREATE3args a;
  memset(&a, 0, sizeof a);
  a.where.dir = fh3(&dir_fh);
  a.where.name = s->name;
  a.how.mode = UNCHECKED;
  a.how.createhow3_u.obj_attributes.mode.set_it = 1;
  a.how.createhow3_u.obj_attributes.mode.set_mode3_u.mode = 0644;
  if (rpc_nfs3_create_async(rpc, l_create_cb, &a, s) != 0) fail("queue CREATE: %s", rpc_get_error(rpc));
}
static void l_create_cb(struct rpc_context *r, int status, void *data, void *priv) {
  (void)r;
  CREATE3res *x = data;
  if (status != RPC_STATUS_SUCCESS || x->status != NFS3_OK) fail("CREATE for listdir: %d/%d", status, x ? (int)x->status : -1);
  l_create(priv);
}

struct page {
  volatile int done;
  int status;
  uint64_t entries, last_cookie;
  int eof;
  char verf[NFS3_COOKIEVERFSIZE];
};
static void page_cb(struct rpc_context *r, int status, void *data, void *priv) {
  (void)r;
  struct page *p = priv;
  READDIRPLUS3res *x = data;
  p->status = status == RPC_STATUS_SUCCESS ? (int)x->status : -1;
  if (p->status == NFS3_OK) {
    for (entryplus3 *e = x->READDIRPLUS3res_u.resok.reply.entries; e; e = e->nextentry) {
      p->entries++;
      p->last_cookie = e->cookie;
    }
    p->eof = x->READDIRPLUS3res_u.resok.reply.eof;
    memcpy(p->verf, x->READDIRPLUS3res_u.resok.cookieverf, sizeof p->verf);
  }
  p->done = 1;
}

/* one whole listing by READDIRPLUS pages; returns the entries listed ('.' and '..' too), or -1 */
static int64_t list_all(void) {
  uint64_t cookie = 0, total = 0;
  char verf[NFS3_COOKIEVERFSIZE] = {0};
  for (;;) {
    struct page p;
    memset(&p, 0, sizeof p);
    READDIRPLUS3args a;
    memset(&a, 0, sizeof a);
    a.dir = fh3(&dir_fh);
    a.cookie = cookie;
    memcpy(a.cookieverf, verf, sizeof verf);
    a.dircount = 32768;
    a.maxcount = 131072;
    if (rpc_nfs3_readdirplus_async(rpc, page_cb, &a, &p) != 0) {
      fail("queue READDIRPLUS: %s", rpc_get_error(rpc));
      return -1;
    }
    if (pump_until(&p.done, 120) != 0) return -1;
    if (p.status != NFS3_OK) {
      fail("READDIRPLUS: %d", p.status);
      return -1;
    }
    total += p.entries;
    if (p.eof || p.entries == 0) return (int64_t)total;
    cookie = p.last_cookie;
    memcpy(verf, p.verf, sizeof verf);
  }
}

/* ---------------------------------------------------------------- stat, remove */

static uint64_t next_entry;

/* The slot's next entry name, cycling through the --entries made (stat) or once (remove). */
static int next_name(struct slot *s, int cycle) {
  if (g_failed || (cycle ? now_s() >= t_deadline : next_entry >= (uint64_t)o_entries)) return 0;
  snprintf(s->name, sizeof s->name, "entry-%06" PRIu64, next_entry++ % (uint64_t)o_entries);
  return 1;
}

static void chain_end(void) {
  if (--inflight == 0) all_done = 1;
}

static void s_lookup(struct slot *s);
static void s_getattr_cb(struct rpc_context *r, int status, void *data, void *priv) {
  (void)r;
  struct slot *s = priv;
  if (status != RPC_STATUS_SUCCESS || ((GETATTR3res *)data)->status != NFS3_OK) fail("GETATTR of %s failed", s->name);
  record_lat(now_s() - s->t0);
  files_done++;
  s_lookup(s);
}
static void s_lookup_cb(struct rpc_context *r, int status, void *data, void *priv) {
  (void)r;
  struct slot *s = priv;
  LOOKUP3res *x = data;
  if (status != RPC_STATUS_SUCCESS || x->status != NFS3_OK ||
      fh_from(&s->fh, x->LOOKUP3res_u.resok.object.data.data_len, x->LOOKUP3res_u.resok.object.data.data_val) != 0) {
    fail("LOOKUP of %s failed", s->name);
    chain_end();
    return;
  }
  GETATTR3args a;
  a.object = fh3(&s->fh);
  if (rpc_nfs3_getattr_async(rpc, s_getattr_cb, &a, s) != 0) {
    fail("queue GETATTR: %s", rpc_get_error(rpc));
    chain_end();
  }
}
static void s_lookup(struct slot *s) {
  if (!next_name(s, 1)) {
    chain_end();
    return;
  }
  LOOKUP3args a;
  a.what.dir = fh3(&dir_fh);
  a.what.name = s->name;
  s->t0 = now_s();
  if (rpc_nfs3_lookup_async(rpc, s_lookup_cb, &a, s) != 0) {
    fail("queue LOOKUP: %s", rpc_get_error(rpc));
    chain_end();
  }
}

static void r_remove(struct slot *s);
static void r_remove_cb(struct rpc_context *r, int status, void *data, void *priv) {
  (void)r;
  struct slot *s = priv;
  if (status != RPC_STATUS_SUCCESS || ((REMOVE3res *)data)->status != NFS3_OK) fail("REMOVE of %s failed", s->name);
  files_done++;
  r_remove(s);
}
static void r_remove(struct slot *s) {
  if (!next_name(s, 0)) {
    chain_end();
    return;
  }
  REMOVE3args a;
  a.object.dir = fh3(&dir_fh);
  a.object.name = s->name;
  if (rpc_nfs3_remove_async(rpc, r_remove_cb, &a, s) != 0) {
    fail("queue REMOVE: %s", rpc_get_error(rpc));
    chain_end();
  }
}

/* A new directory of --entries empty files, made untimed; 0 or -1. */
static int make_entries(const char *prefix) {
  char sub[64];
  snprintf(sub, sizeof sub, "%s-%d", prefix, (int)getpid());
  struct fhb parent = dir_fh;
  if (ensure_dir(&parent, sub, &dir_fh) != 0) return -1;
  double t0 = now_s();
  all_done = 0;
  made = 0;
  inflight = o_depth;
  for (int i = 0; i < o_depth; i++) l_create(&slots[i]);
  if (pump_until(&all_done, 600) != 0) return -1;
  printf("# made %d files in %.2f s (untimed)\n", o_entries, now_s() - t0);
  return 0;
}

/* Runs `step` on every slot until the chains end; the files/s they did. */
static double run_chains(void (*step)(struct slot *)) {
  double t0 = now_s();
  t_deadline = t0 + o_seconds;
  files_done = 0;
  nlat = 0;
  next_entry = 0;
  all_done = 0;
  inflight = o_depth;
  for (int i = 0; i < o_depth; i++) step(&slots[i]);
  if (pump_until(&all_done, o_seconds + 600) != 0) return -1;
  return files_done / (now_s() - t0);
}

/* ---------------------------------------------------------------- main */

static volatile int connected;
static char connect_msg[256];
static void connect_cb(struct rpc_context *r, int status, void *data, void *priv) {
  (void)r;
  (void)priv;
  if (status != RPC_STATUS_SUCCESS) {
    snprintf(connect_msg, sizeof connect_msg, "%s", data ? (char *)data : "connect failed");
    connected = -1;
  } else {
    connected = 1;
  }
}

static struct rpc_context *dial(int port, int prog, int vers) {
  struct rpc_context *r = rpc_init_context();
  rpc_set_uid(r, 0);
  rpc_set_gid(r, 0);
  connected = 0;
  if (rpc_connect_port_async(r, o_server, port, prog, vers, connect_cb, NULL) != 0) {
    fail("connect %s:%d: %s", o_server, port, rpc_get_error(r));
    return NULL;
  }
  struct rpc_context *saved = rpc;
  rpc = r;
  pump_until((volatile int *)&connected, 30);
  rpc = saved;
  if (connected != 1) {
    if (!g_failed) fail("connect %s:%d: %s", o_server, port, connect_msg);
    rpc_destroy_context(r);
    return NULL;
  }
  return r;
}

static double pct(double p) {
  if (nlat == 0) return 0;
  qsort(lat, nlat, sizeof *lat, cmp_dbl);
  size_t i = (size_t)(p * (nlat - 1));
  return lat[i];
}

static int prepare_file(const char *name, uint64_t size, int reuse) {
  struct sres s;
  if (reuse && do_lookup(&dir_fh, name, &s) == 0 && s.status == NFS3_OK && s.has_fh) {
    struct sres g;
    memset(&g, 0, sizeof g);
    GETATTR3args a;
    a.object = fh3(&s.fh);
    if (sync_wait(&g, rpc_nfs3_getattr_async(rpc, getattr_cb, &a, &g), "GETATTR") == 0 && g.status == NFS3_OK &&
        g.attr.size == size) {
      file_fh = s.fh;
      return 0;
    }
  }
  g_failed = 0;
  if (create_file(&dir_fh, name, &file_fh) != 0) return -1;
  /* fill it (untimed) */
  enum mode m = mode;
  uint32_t l = io_len;
  mode = M_SEQW;
  io_len = (uint32_t)(o_io);
  next_off = 0;
  end_off = size;
  int rc = run_engine(600);
  mode = m;
  io_len = l;
  if (rc != 0) return -1;
  return commit_file(&file_fh);
}

int main(int argc, char **argv) {
  static struct option lo[] = {{"server", 1, 0, 's'}, {"export", 1, 0, 'e'},    {"nfsport", 1, 0, 'n'},
                               {"mountport", 1, 0, 'm'}, {"test", 1, 0, 't'},   {"dir", 1, 0, 'd'},
                               {"size", 1, 0, 'S'},   {"io", 1, 0, 'i'},        {"rand-size", 1, 0, 'R'},
                               {"seconds", 1, 0, 'T'}, {"depth", 1, 0, 'D'},    {"no-verify", 0, 0, 'V'},
                               {"entries", 1, 0, 'E'}, {0, 0, 0, 0}};
  int c;
  while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
    switch (c) {
    case 's': o_server = optarg; break;
    case 'e': o_export = optarg; break;
    case 'n': o_nfsport = atoi(optarg); break;
    case 'm': o_mountport = atoi(optarg); break;
    case 't': o_test = optarg; break;
    case 'd': o_dir = optarg; break;
    case 'S': o_size = strtoull(optarg, NULL, 10) << 20; break;
    case 'i': o_io = strtoull(optarg, NULL, 10) << 10; break;
    case 'R': o_rand_size = strtoull(optarg, NULL, 10) << 20; break;
    case 'T': o_seconds = atoi(optarg); break;
    case 'D': o_depth = atoi(optarg); break;
    case 'V': verify_reads = 0; break;
    case 'E': o_entries = atoi(optarg); break;
    default: return 2;
    }
  }
  if (!o_test || o_nfsport <= 0 || o_depth < 1) {
    fprintf(stderr, "usage: %s --nfsport P [--mountport M] [--export /export] --test "
                    "seqwrite|seqread|randread|randwrite|creates|listdir|stat|remove [--dir NAME] [--size MiB] [--io KiB] "
                    "[--rand-size MiB] [--seconds N] [--depth N] [--no-verify] [--entries N]\n",
            argv[0]);
    return 2;
  }
  if (o_mountport <= 0) o_mountport = o_nfsport;
  setvbuf(stdout, NULL, _IOLBF, 0);

  /* MOUNT */
  struct rpc_context *m = dial(o_mountport, MOUNT_PROGRAM, MOUNT_V3);
  if (!m) goto out;
  rpc = m;
  struct sres s;
  memset(&s, 0, sizeof s);
  if (sync_wait(&s, rpc_mount3_mnt_async(rpc, mnt_cb, (char *)o_export, &s), "MNT") != 0) goto out;
  if (s.status != MNT3_OK || !s.has_fh) {
    fail("MNT %s: mountstat3 %d", o_export, s.status);
    goto out;
  }
  struct fhb root = s.fh;
  rpc_destroy_context(m);
  rpc = dial(o_nfsport, NFS_PROGRAM, NFS_V3);
  if (!rpc) goto out;

  memset(&s, 0, sizeof s);
  FSINFO3args fa;
  fa.fsroot = fh3(&root);
  if (sync_wait(&s, rpc_nfs3_fsinfo_async(rpc, fsinfo_cb, &fa, &s), "FSINFO") != 0) goto out;
  uint32_t rtmax = s.u1, wtmax = s.u2;
  if (ensure_dir(&root, o_dir, &dir_fh) != 0) goto out;

  uint64_t io = o_io;
  if (!strcmp(o_test, "seqwrite") && io > wtmax) io = wtmax;
  if (!strcmp(o_test, "seqread") && io > rtmax) io = rtmax;
  if (io != o_io) printf("# server limits I/O to %" PRIu64 " bytes (rtmax %u, wtmax %u)\n", io, rtmax, wtmax);
  o_io = io;
  base = malloc(o_io > 4096 ? o_io : 4096);
  for (uint64_t i = 0; i < (o_io > 4096 ? o_io : 4096); i++) base[i] = (uint8_t)(rng() >> 24);
  slots = calloc(o_depth, sizeof *slots);
  for (int i = 0; i < o_depth; i++) {
    slots[i].idx = i;
    slots[i].buf = malloc(o_io > 4096 ? o_io : 4096);
  }
  rng_state ^= (uint64_t)getpid() << 17;
  io_len = (uint32_t)o_io;
  printf("# %s on %s:%d%s depth %d io %" PRIu64 " rtmax %u wtmax %u\n", o_test, o_server, o_nfsport, o_export,
         o_depth, o_io, rtmax, wtmax);

  double t0, el;
  if (!strcmp(o_test, "seqwrite")) {
    if (create_file(&dir_fh, "seq.bin", &file_fh) != 0) goto out;
    mode = M_SEQW;
    next_off = 0;
    end_off = o_size;
    t0 = now_s();
    if (run_engine(1800) != 0) goto out;
    double t_commit = now_s();
    if (commit_file(&file_fh) != 0) goto out;
    el = now_s() - t0;
    printf("result seq_write_MBps %.1f MB/s\n", o_size / 1048576.0 / el);
    printf("# %" PRIu64 " MiB in %.2f s (WRITE UNSTABLE x%" PRIu64 " in %.2f s + COMMIT in %.2f s)\n", o_size >> 20,
           el, ops_done, t_commit - t0, el - (t_commit - t0));
  } else if (!strcmp(o_test, "seqread")) {
    struct sres l;
    if (do_lookup(&dir_fh, "seq.bin", &l) != 0 || l.status != NFS3_OK || !l.has_fh) {
      fail("seqread needs seq.bin from a seqwrite run first (LOOKUP: %d)", l.status);
      goto out;
    }
    file_fh = l.fh;
    if (l.has_attr && l.attr.size != o_size) {
      fail("seq.bin is %" PRIu64 " bytes, expected %" PRIu64, (uint64_t)l.attr.size, o_size);
      goto out;
    }
    mode = M_SEQR;
    next_off = 0;
    end_off = o_size;
    t0 = now_s();
    if (run_engine(1800) != 0) goto out;
    el = now_s() - t0;
    printf("result seq_read_MBps %.1f MB/s\n", o_size / 1048576.0 / el);
    printf("# %" PRIu64 " MiB in %.2f s%s\n", o_size >> 20, el, verify_reads ? ", every byte checked" : "");
  } else if (!strcmp(o_test, "randread") || !strcmp(o_test, "randwrite")) {
    int w = !strcmp(o_test, "randwrite");
    mode = w ? M_RANDW : M_RANDR;
    if (prepare_file("rand.bin", o_rand_size, 1) != 0) goto out;
    io_len = 4096;
    mode = w ? M_RANDW : M_RANDR;
    ops_done = 0;
    nlat = 0;
    t0 = now_s();
    t_deadline = t0 + o_seconds;
    if (run_engine(o_seconds + 120) != 0) goto out;
    if (w && commit_file(&file_fh) != 0) goto out;
    el = now_s() - t0;
    printf("result rand_%s_4k_iops %.0f IOPS\n", w ? "write" : "read", ops_done / el);
    printf("result rand_%s_4k_lat_p50_us %.0f us\n", w ? "write" : "read", pct(0.5) * 1e6);
    printf("result rand_%s_4k_lat_p99_us %.0f us\n", w ? "write" : "read", pct(0.99) * 1e6);
    printf("# %" PRIu64 " ops in %.2f s over a %" PRIu64 " MiB file%s\n", ops_done, el, o_rand_size >> 20,
           w ? " (WRITE UNSTABLE + final COMMIT)" : "");
  } else if (!strcmp(o_test, "creates")) {
    char sub[64];
    snprintf(sub, sizeof sub, "creates-%d", (int)getpid());
    struct fhb parent = dir_fh;
    if (ensure_dir(&parent, sub, &dir_fh) != 0) goto out;
    t0 = now_s();
    t_deadline = t0 + o_seconds;
    all_done = 0;
    inflight = 0;
    for (int i = 0; i < o_depth; i++) create_step(&slots[i]);
    if (pump_until(&all_done, o_seconds + 120) != 0) goto out;
    el = now_s() - t0;
    printf("result create_write_commit_per_s %.0f files/s\n", files_done / el);
    printf("# %" PRIu64 " files (CREATE GUARDED + WRITE 4 KiB + COMMIT) in %.2f s, %d in flight\n", files_done, el,
           o_depth);
  } else if (!strcmp(o_test, "listdir")) {
    char sub[64];
    snprintf(sub, sizeof sub, "listdir-%d", (int)getpid());
    struct fhb parent = dir_fh;
    if (ensure_dir(&parent, sub, &dir_fh) != 0) goto out;
    t0 = now_s();
    all_done = 0;
    inflight = o_depth;
    for (int i = 0; i < o_depth; i++) l_create(&slots[i]);
    if (pump_until(&all_done, 600) != 0) goto out;
    printf("# made %d files in %.2f s (untimed)\n", o_entries, now_s() - t0);
    int64_t n = 0;
    double times[5];
    for (int i = 0; i < 5; i++) {
      t0 = now_s();
      n = list_all();
      if (n < 0) goto out;
      times[i] = now_s() - t0;
    }
    qsort(times + 1, 4, sizeof times[0], cmp_dbl);
    printf("result listdir_first_ms %.1f ms\n", times[0] * 1e3);
    printf("result listdir_entries_per_s %.0f entries/s\n", n / ((times[2] + times[3]) / 2));
    printf("# %" PRId64 " entries, READDIRPLUS (maxcount 131072): first %.1f ms, then median %.1f ms\n", n,
           times[0] * 1e3, (times[2] + times[3]) / 2 * 1e3);
  } else if (!strcmp(o_test, "stat")) {
    if (make_entries("stat") != 0) goto out;
    double rate = run_chains(s_lookup);
    if (rate < 0 || g_failed) goto out;
    printf("result stat_per_s %.0f files/s\n", rate);
    printf("result stat_lat_p50_us %.0f us\n", pct(0.5) * 1e6);
    printf("result stat_lat_p99_us %.0f us\n", pct(0.99) * 1e6);
    printf("# %" PRIu64 " files stat'ed (LOOKUP + GETATTR), %d in flight\n", files_done, o_depth);
  } else if (!strcmp(o_test, "remove")) {
    if (make_entries("remove") != 0) goto out;
    double rate = run_chains(r_remove);
    if (rate < 0 || g_failed) goto out;
    printf("result remove_per_s %.0f files/s\n", rate);
    printf("# %" PRIu64 " files removed, %d in flight\n", files_done, o_depth);
  } else {
    fail("unknown test %s", o_test);
  }
out:
  if (g_failed) {
    printf("error: %s\n", g_err);
    return 1;
  }
  return 0;
}
