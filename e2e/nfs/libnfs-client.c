/*
 * DittoFS e2e: an NFSv3 conformance client built on libnfs (4.0.0).
 *
 * Drives every NFSv3 procedure (and the MOUNT v3 procedures) against a server on
 * 127.0.0.1 through libnfs's high-level sync API and, where that API does not reach
 * (MKNOD, READDIR/READDIRPLUS cookie paging, COMMIT, FSINFO, PATHCONF, ACCESS,
 * CREATE GUARDED/EXCLUSIVE, SETATTR guards, ...), through raw rpc_nfs3_*_async calls
 * on contexts of its own, waited for synchronously.
 *
 * Prints one line per check: "ok <name>" or "FAIL <name>: <detail>" ("# ..." lines are
 * information). Exit code: 0 when every check passed, 1 when any failed, 2 on usage.
 *
 * Build: gcc -O2 -Wall -o nfsclient e2e/nfs/libnfs-client.c -lnfs
 * Usage: nfsclient --nfsport P --mountport M --export /export [--server 127.0.0.1]
 *                  [--suite main|ro|squash] [--uid2 1000 --gid2 1000]
 *                  [--anon-uid 65534 --anon-gid 65534] [--dir-entries 2000]
 *   main   : the read-write export, caller uid 0 without squashing (plus a second
 *            context as --uid2 for permission checks)
 *   ro     : --export is a read-only share: every modification must fail with EROFS
 *   squash : --export squashes root to the anonymous ids: uid 0's files are owned by them
 *   prepare: test setup on a writable share: --prepare-file NAME (small file), --root-mode OCTAL
 *   handles-save / handles-check --state-file F: before / after a server restart, handles
 *            must stay valid and the write verifier must change
 *   fh --path REL / getattr --fh HEX [--expect-status NFS3ERR_STALE]: a handle in hex, and
 *            the status of GETATTR with a given (e.g. forged) handle
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw.h>
#include <nfsc/libnfs-raw-mount.h>
#include <nfsc/libnfs-raw-nfs.h>

/* ------------------------------------------------------------------ reporting */

static int n_ok, n_fail;

static void pass(const char *name) {
  printf("ok %s\n", name);
  fflush(stdout);
  n_ok++;
}

static void failf(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void failf(const char *name, const char *fmt, ...) {
  va_list ap;
  printf("FAIL %s: ", name);
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  printf("\n");
  fflush(stdout);
  n_fail++;
}

static void info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void info(const char *fmt, ...) {
  va_list ap;
  printf("# ");
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  printf("\n");
  fflush(stdout);
}

/* check(name, cond, fmt, ...): one result line; returns cond */
#define check(name, cond, ...)                                                                                         \
  ({                                                                                                                   \
    int _c = !!(cond);                                                                                                 \
    if (_c)                                                                                                            \
      pass(name);                                                                                                      \
    else                                                                                                               \
      failf(name, __VA_ARGS__);                                                                                        \
    _c;                                                                                                                \
  })

static const char *nfsstat_name(int s) {
  switch (s) {
  case NFS3_OK: return "NFS3_OK";
  case NFS3ERR_PERM: return "NFS3ERR_PERM";
  case NFS3ERR_NOENT: return "NFS3ERR_NOENT";
  case NFS3ERR_IO: return "NFS3ERR_IO";
  case NFS3ERR_NXIO: return "NFS3ERR_NXIO";
  case NFS3ERR_ACCES: return "NFS3ERR_ACCES";
  case NFS3ERR_EXIST: return "NFS3ERR_EXIST";
  case NFS3ERR_XDEV: return "NFS3ERR_XDEV";
  case NFS3ERR_NODEV: return "NFS3ERR_NODEV";
  case NFS3ERR_NOTDIR: return "NFS3ERR_NOTDIR";
  case NFS3ERR_ISDIR: return "NFS3ERR_ISDIR";
  case NFS3ERR_INVAL: return "NFS3ERR_INVAL";
  case NFS3ERR_FBIG: return "NFS3ERR_FBIG";
  case NFS3ERR_NOSPC: return "NFS3ERR_NOSPC";
  case NFS3ERR_ROFS: return "NFS3ERR_ROFS";
  case NFS3ERR_MLINK: return "NFS3ERR_MLINK";
  case NFS3ERR_NAMETOOLONG: return "NFS3ERR_NAMETOOLONG";
  case NFS3ERR_NOTEMPTY: return "NFS3ERR_NOTEMPTY";
  case NFS3ERR_DQUOT: return "NFS3ERR_DQUOT";
  case NFS3ERR_STALE: return "NFS3ERR_STALE";
  case NFS3ERR_REMOTE: return "NFS3ERR_REMOTE";
  case NFS3ERR_BADHANDLE: return "NFS3ERR_BADHANDLE";
  case NFS3ERR_NOT_SYNC: return "NFS3ERR_NOT_SYNC";
  case NFS3ERR_BAD_COOKIE: return "NFS3ERR_BAD_COOKIE";
  case NFS3ERR_NOTSUPP: return "NFS3ERR_NOTSUPP";
  case NFS3ERR_TOOSMALL: return "NFS3ERR_TOOSMALL";
  case NFS3ERR_SERVERFAULT: return "NFS3ERR_SERVERFAULT";
  case NFS3ERR_BADTYPE: return "NFS3ERR_BADTYPE";
  case NFS3ERR_JUKEBOX: return "NFS3ERR_JUKEBOX";
  default: return "NFS3ERR_?";
  }
}

/* -errno from the high-level API, as text */
static char errbuf[8][512];
static int errbuf_i;
static const char *hl_err(struct nfs_context *nfs, int rc) {
  char *b = errbuf[errbuf_i++ & 7];
  if (rc >= 0)
    snprintf(b, sizeof errbuf[0], "success (%d)", rc);
  else
    snprintf(b, sizeof errbuf[0], "%s (%d): %s", strerror(-rc), rc, nfs ? nfs_get_error(nfs) : "");
  return b;
}

/* ------------------------------------------------------------------ options */

static const char *opt_server = "127.0.0.1";
static const char *opt_export = "/export";
static const char *opt_suite = "main";
static int opt_nfsport, opt_mountport;
static int opt_uid2 = 1000, opt_gid2 = 1000;
static int opt_anon_uid = 65534, opt_anon_gid = 65534;
static int opt_dir_entries = 2000;
static int opt_timeout_ms = 60000;

/* ------------------------------------------------------------------ raw RPC layer */

struct fhbuf {
  u_int len;
  char data[NFS3_FHSIZE];
};

static nfs_fh3 fh3(const struct fhbuf *b) {
  nfs_fh3 f;
  f.data.data_len = b->len;
  f.data.data_val = (char *)b->data;
  return f;
}

static int fh_set(struct fhbuf *b, u_int len, const char *val) {
  if (len > NFS3_FHSIZE) return -1;
  b->len = len;
  memcpy(b->data, val, len);
  return 0;
}

struct dirent_rec {
  char *name;
  uint64_t cookie;
  uint64_t fileid;
  int has_fh, has_attr;
  fattr3 attr;
};

struct dirpage {
  struct dirent_rec *ents;
  int n, cap;
  int eof;
  char verf[NFS3_COOKIEVERFSIZE];
};

/* What a raw call's handler copies out of the reply (the reply is freed after the callback). */
struct rres {
  int rpc_ok;
  char err[512];
  int status; /* nfsstat3 / mountstat3 */
  struct fhbuf fh;
  int has_fh;
  fattr3 attr;
  int has_attr;
  uint32_t access;
  uint32_t count;
  int eof;
  int committed;
  char verf[NFS3_WRITEVERFSIZE];
  char path[4096]; /* READLINK */
  FSINFO3resok fsinfo;
  FSSTAT3resok fsstat;
  PATHCONF3resok pathconf;
  int wcc_before, wcc_after; /* wcc_data presence */
  char **names; /* MOUNT EXPORT / DUMP */
  int nnames;
  /* set by the caller before a call (RAW() clears everything above buf) */
  char *buf; /* READ: caller's buffer */
  size_t bufcap;
  struct dirpage *dir; /* READDIR(PLUS): where entries go */
};

typedef void (*res_handler)(void *data, struct rres *r);

struct call {
  int done;
  res_handler h;
  struct rres *r;
};

static void call_cb(struct rpc_context *rpc, int status, void *data, void *priv) {
  struct call *c = priv;
  (void)rpc;
  if (status == RPC_STATUS_SUCCESS) {
    c->r->rpc_ok = 1;
    if (c->h) c->h(data, c->r);
  } else {
    c->r->rpc_ok = 0;
    snprintf(c->r->err, sizeof c->r->err, "rpc %s: %s",
             status == RPC_STATUS_ERROR ? "error" : status == RPC_STATUS_CANCEL ? "cancelled" : "timeout",
             (status == RPC_STATUS_ERROR && data) ? (const char *)data : "-");
  }
  c->done = 1;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int wait_call(struct rpc_context *rpc, struct call *c) {
  double deadline = now_s() + opt_timeout_ms / 1000.0;
  while (!c->done) {
    struct pollfd pfd = {.fd = rpc_get_fd(rpc), .events = (short)rpc_which_events(rpc)};
    int n = poll(&pfd, 1, 100);
    if (n < 0) {
      if (errno == EINTR) continue;
      snprintf(c->r->err, sizeof c->r->err, "poll: %s", strerror(errno));
      return -1;
    }
    if (rpc_service(rpc, n > 0 ? pfd.revents : 0) < 0) {
      if (c->done) break;
      snprintf(c->r->err, sizeof c->r->err, "rpc_service: %s", rpc_get_error(rpc));
      return -1;
    }
    if (!c->done && now_s() > deadline) {
      snprintf(c->r->err, sizeof c->r->err, "no reply within %d ms", opt_timeout_ms);
      return -1;
    }
  }
  return c->r->rpc_ok ? 0 : -1;
}

/* RAW(rpc, fn, argsp, handler, r): queue fn(rpc, cb, argsp, priv), wait; 0 = got a reply */
#define RAW(rpc, fn, argsp, handler, r)                                                                                \
  ({                                                                                                                   \
    struct call _c = {0, (res_handler)(handler), (r)};                                                                 \
    memset((r), 0, offsetof(struct rres, buf));                                                                        \
    (r)->status = -1;                                                                                                  \
    int _q = fn((rpc), call_cb, (argsp), &_c);                                                                         \
    int _rv;                                                                                                           \
    if (_q != 0) {                                                                                                     \
      snprintf((r)->err, sizeof (r)->err, "could not queue %s: %s", #fn, rpc_get_error(rpc));                          \
      _rv = -1;                                                                                                        \
    } else                                                                                                             \
      _rv = wait_call((rpc), &_c);                                                                                     \
    _rv;                                                                                                               \
  })

/* status text of a raw reply for FAIL lines */
static const char *rstat(const struct rres *r) {
  static char b[8][600];
  static int i;
  char *o = b[i++ & 7];
  if (!r->rpc_ok)
    snprintf(o, sizeof b[0], "%s", r->err);
  else
    snprintf(o, sizeof b[0], "%s(%d)", nfsstat_name(r->status), r->status);
  return o;
}

static struct rpc_context *raw_connect(int port, int prog, int vers, int uid, int gid, char *err, size_t errlen) {
  struct rpc_context *rpc = rpc_init_context();
  if (!rpc) {
    snprintf(err, errlen, "rpc_init_context failed");
    return NULL;
  }
  rpc_set_uid(rpc, uid);
  rpc_set_gid(rpc, gid);
  struct rres r;
  struct call c = {0, NULL, &r};
  memset(&r, 0, offsetof(struct rres, buf));
  if (rpc_connect_port_async(rpc, opt_server, port, prog, vers, call_cb, &c) != 0) {
    snprintf(err, errlen, "rpc_connect_port_async: %s", rpc_get_error(rpc));
    rpc_destroy_context(rpc);
    return NULL;
  }
  if (wait_call(rpc, &c) != 0) {
    snprintf(err, errlen, "connect to %.64s:%d prog %d v%d: %.300s", opt_server, port, prog, vers, r.err);
    rpc_destroy_context(rpc);
    return NULL;
  }
  return rpc;
}

static void copy_post_op_attr(struct rres *r, const post_op_attr *a) {
  if (a->attributes_follow) {
    r->attr = a->post_op_attr_u.attributes;
    r->has_attr = 1;
  }
}

static void copy_wcc(struct rres *r, const wcc_data *w) {
  r->wcc_before = w->before.attributes_follow ? 1 : 0;
  r->wcc_after = w->after.attributes_follow ? 1 : 0;
  if (w->after.attributes_follow) {
    r->attr = w->after.post_op_attr_u.attributes;
    r->has_attr = 1;
  }
}

static void copy_post_op_fh(struct rres *r, const post_op_fh3 *p) {
  if (p->handle_follows && fh_set(&r->fh, p->post_op_fh3_u.handle.data.data_len,
                                  p->post_op_fh3_u.handle.data.data_val) == 0)
    r->has_fh = 1;
}

/* ---- handlers: copy what the checks need out of each reply ---- */

static void h_status_only(void *d, struct rres *r) { r->status = *(int *)d; }
static void h_null(void *d, struct rres *r) {
  (void)d;
  r->status = 0;
}

static void h_mnt(void *d, struct rres *r) {
  mountres3 *m = d;
  r->status = m->fhs_status;
  if (m->fhs_status == MNT3_OK &&
      fh_set(&r->fh, m->mountres3_u.mountinfo.fhandle.fhandle3_len, m->mountres3_u.mountinfo.fhandle.fhandle3_val) == 0)
    r->has_fh = 1;
}

static void add_name(struct rres *r, const char *s) {
  r->names = realloc(r->names, sizeof(char *) * (r->nnames + 1));
  r->names[r->nnames++] = strdup(s ? s : "");
}

static void h_export(void *d, struct rres *r) {
  exports e = *(exports *)d;
  r->status = 0;
  for (; e; e = e->ex_next) add_name(r, e->ex_dir);
}

static void h_dump(void *d, struct rres *r) {
  mountlist m = *(mountlist *)d;
  r->status = 0;
  for (; m; m = m->ml_next) add_name(r, m->ml_directory);
}

static void h_getattr(void *d, struct rres *r) {
  GETATTR3res *x = d;
  r->status = x->status;
  if (x->status == NFS3_OK) {
    r->attr = x->GETATTR3res_u.resok.obj_attributes;
    r->has_attr = 1;
  }
}

static void h_lookup(void *d, struct rres *r) {
  LOOKUP3res *x = d;
  r->status = x->status;
  if (x->status == NFS3_OK) {
    if (fh_set(&r->fh, x->LOOKUP3res_u.resok.object.data.data_len, x->LOOKUP3res_u.resok.object.data.data_val) == 0)
      r->has_fh = 1;
    copy_post_op_attr(r, &x->LOOKUP3res_u.resok.obj_attributes);
  }
}

static void h_access(void *d, struct rres *r) {
  ACCESS3res *x = d;
  r->status = x->status;
  if (x->status == NFS3_OK) {
    r->access = x->ACCESS3res_u.resok.access;
    copy_post_op_attr(r, &x->ACCESS3res_u.resok.obj_attributes);
  }
}

static void h_readlink(void *d, struct rres *r) {
  READLINK3res *x = d;
  r->status = x->status;
  if (x->status == NFS3_OK) snprintf(r->path, sizeof r->path, "%s", x->READLINK3res_u.resok.data);
}

static void h_read(void *d, struct rres *r) {
  READ3res *x = d;
  r->status = x->status;
  if (x->status == NFS3_OK) {
    READ3resok *ok = &x->READ3res_u.resok;
    r->count = ok->count;
    r->eof = ok->eof;
    size_t n = ok->data.data_len;
    if (n != ok->count) r->count = (uint32_t)-1; /* count and data length disagree */
    if (r->buf && n <= r->bufcap) memcpy(r->buf, ok->data.data_val, n);
    copy_post_op_attr(r, &ok->file_attributes);
  }
}

static void h_write(void *d, struct rres *r) {
  WRITE3res *x = d;
  r->status = x->status;
  if (x->status == NFS3_OK) {
    r->count = x->WRITE3res_u.resok.count;
    r->committed = x->WRITE3res_u.resok.committed;
    memcpy(r->verf, x->WRITE3res_u.resok.verf, NFS3_WRITEVERFSIZE);
    copy_wcc(r, &x->WRITE3res_u.resok.file_wcc);
  }
}

static void h_commit(void *d, struct rres *r) {
  COMMIT3res *x = d;
  r->status = x->status;
  if (x->status == NFS3_OK) {
    memcpy(r->verf, x->COMMIT3res_u.resok.verf, NFS3_WRITEVERFSIZE);
    copy_wcc(r, &x->COMMIT3res_u.resok.file_wcc);
  }
}

/* CREATE, MKNOD, MKDIR and SYMLINK answer alike: the new object's handle and attributes. */
#define NEW_OBJECT_HANDLER(name, RES)                                   \
  static void name(void *d, struct rres *r) {                          \
    RES *x = d;                                                        \
    r->status = x->status;                                             \
    if (x->status == NFS3_OK) {                                        \
      copy_post_op_fh(r, &x->RES##_u.resok.obj);                       \
      copy_post_op_attr(r, &x->RES##_u.resok.obj_attributes);          \
    }                                                                  \
  }
NEW_OBJECT_HANDLER(h_create, CREATE3res)
NEW_OBJECT_HANDLER(h_mknod, MKNOD3res)
NEW_OBJECT_HANDLER(h_mkdir, MKDIR3res)
NEW_OBJECT_HANDLER(h_symlink, SYMLINK3res)

static void h_setattr(void *d, struct rres *r) {
  SETATTR3res *x = d;
  r->status = x->status;
  copy_wcc(r, x->status == NFS3_OK ? &x->SETATTR3res_u.resok.obj_wcc : &x->SETATTR3res_u.resfail.obj_wcc);
}

static void h_link(void *d, struct rres *r) {
  LINK3res *x = d;
  r->status = x->status;
  if (x->status == NFS3_OK) copy_post_op_attr(r, &x->LINK3res_u.resok.file_attributes);
}

static void h_fsinfo(void *d, struct rres *r) {
  FSINFO3res *x = d;
  r->status = x->status;
  if (x->status == NFS3_OK) r->fsinfo = x->FSINFO3res_u.resok;
}

static void h_fsstat(void *d, struct rres *r) {
  FSSTAT3res *x = d;
  r->status = x->status;
  if (x->status == NFS3_OK) r->fsstat = x->FSSTAT3res_u.resok;
}

static void h_pathconf(void *d, struct rres *r) {
  PATHCONF3res *x = d;
  r->status = x->status;
  if (x->status == NFS3_OK) r->pathconf = x->PATHCONF3res_u.resok;
}

static void dir_add(struct dirpage *p, const char *name, uint64_t cookie, uint64_t fileid, int has_fh, int has_attr,
                    const fattr3 *attr) {
  if (p->n == p->cap) {
    p->cap = p->cap ? p->cap * 2 : 256;
    p->ents = realloc(p->ents, sizeof *p->ents * p->cap);
  }
  struct dirent_rec *e = &p->ents[p->n++];
  memset(e, 0, sizeof *e);
  e->name = strdup(name ? name : "");
  e->cookie = cookie;
  e->fileid = fileid;
  e->has_fh = has_fh;
  e->has_attr = has_attr;
  if (attr) e->attr = *attr;
}

static void h_readdir(void *d, struct rres *r) {
  READDIR3res *x = d;
  r->status = x->status;
  if (x->status != NFS3_OK || !r->dir) return;
  READDIR3resok *ok = &x->READDIR3res_u.resok;
  memcpy(r->dir->verf, ok->cookieverf, NFS3_COOKIEVERFSIZE);
  r->dir->eof = ok->reply.eof;
  r->count = 0;
  for (entry3 *e = ok->reply.entries; e; e = e->nextentry) {
    dir_add(r->dir, e->name, e->cookie, e->fileid, 0, 0, NULL);
    r->count++;
  }
}

static void h_readdirplus(void *d, struct rres *r) {
  READDIRPLUS3res *x = d;
  r->status = x->status;
  if (x->status != NFS3_OK || !r->dir) return;
  READDIRPLUS3resok *ok = &x->READDIRPLUS3res_u.resok;
  memcpy(r->dir->verf, ok->cookieverf, NFS3_COOKIEVERFSIZE);
  r->dir->eof = ok->reply.eof;
  r->count = 0;
  for (entryplus3 *e = ok->reply.entries; e; e = e->nextentry) {
    dir_add(r->dir, e->name, e->cookie, e->fileid, e->name_handle.handle_follows ? 1 : 0,
            e->name_attributes.attributes_follow ? 1 : 0,
            e->name_attributes.attributes_follow ? &e->name_attributes.post_op_attr_u.attributes : NULL);
    r->count++;
  }
}

/* ---- raw procedure wrappers (0 = reply received; check r->status) ---- */

static int r_getattr(struct rpc_context *rpc, const struct fhbuf *fh, struct rres *r) {
  GETATTR3args a;
  a.object = fh3(fh);
  return RAW(rpc, rpc_nfs3_getattr_async, &a, h_getattr, r);
}

static int r_lookup(struct rpc_context *rpc, const struct fhbuf *dir, const char *name, struct rres *r) {
  LOOKUP3args a;
  a.what.dir = fh3(dir);
  a.what.name = (char *)name;
  return RAW(rpc, rpc_nfs3_lookup_async, &a, h_lookup, r);
}

static int r_access(struct rpc_context *rpc, const struct fhbuf *fh, uint32_t mask, struct rres *r) {
  ACCESS3args a;
  a.object = fh3(fh);
  a.access = mask;
  return RAW(rpc, rpc_nfs3_access_async, &a, h_access, r);
}

static int r_read(struct rpc_context *rpc, const struct fhbuf *fh, uint64_t off, uint32_t count, char *buf,
                  size_t cap, struct rres *r) {
  READ3args a;
  a.file = fh3(fh);
  a.offset = off;
  a.count = count;
  r->buf = buf;
  r->bufcap = cap;
  return RAW(rpc, rpc_nfs3_read_async, &a, h_read, r);
}

static int r_write(struct rpc_context *rpc, const struct fhbuf *fh, uint64_t off, const char *buf, uint32_t len,
                   int stable, struct rres *r) {
  WRITE3args a;
  a.file = fh3(fh);
  a.offset = off;
  a.count = len;
  a.stable = stable;
  a.data.data_len = len;
  a.data.data_val = (char *)buf;
  return RAW(rpc, rpc_nfs3_write_async, &a, h_write, r);
}

static int r_commit(struct rpc_context *rpc, const struct fhbuf *fh, uint64_t off, uint32_t count, struct rres *r) {
  COMMIT3args a;
  a.file = fh3(fh);
  a.offset = off;
  a.count = count;
  return RAW(rpc, rpc_nfs3_commit_async, &a, h_commit, r);
}

static sattr3 sattr_none(void) {
  sattr3 s;
  memset(&s, 0, sizeof s);
  return s;
}

static sattr3 sattr_mode(uint32_t mode) {
  sattr3 s = sattr_none();
  s.mode.set_it = 1;
  s.mode.set_mode3_u.mode = mode;
  return s;
}

static int r_create(struct rpc_context *rpc, const struct fhbuf *dir, const char *name, int how, uint32_t mode,
                    const char *verf, struct rres *r) {
  CREATE3args a;
  memset(&a, 0, sizeof a);
  a.where.dir = fh3(dir);
  a.where.name = (char *)name;
  a.how.mode = how;
  if (how == EXCLUSIVE)
    memcpy(a.how.createhow3_u.verf, verf, NFS3_CREATEVERFSIZE);
  else
    a.how.createhow3_u.obj_attributes = sattr_mode(mode);
  return RAW(rpc, rpc_nfs3_create_async, &a, h_create, r);
}

static int r_mknod(struct rpc_context *rpc, const struct fhbuf *dir, const char *name, int type, uint32_t mode,
                   struct rres *r) {
  MKNOD3args a;
  memset(&a, 0, sizeof a);
  a.where.dir = fh3(dir);
  a.where.name = (char *)name;
  a.what.type = type;
  switch (type) {
  case NF3CHR:
  case NF3BLK:
    a.what.mknoddata3_u.chr_device.dev_attributes = sattr_mode(mode);
    break;
  case NF3SOCK:
    a.what.mknoddata3_u.sock_attributes = sattr_mode(mode);
    break;
  case NF3FIFO:
    a.what.mknoddata3_u.pipe_attributes = sattr_mode(mode);
    break;
  default:
    break;
  }
  return RAW(rpc, rpc_nfs3_mknod_async, &a, h_mknod, r);
}

static int r_mkdir(struct rpc_context *rpc, const struct fhbuf *dir, const char *name, uint32_t mode, struct rres *r) {
  MKDIR3args a;
  memset(&a, 0, sizeof a);
  a.where.dir = fh3(dir);
  a.where.name = (char *)name;
  a.attributes = sattr_mode(mode);
  return RAW(rpc, rpc_nfs3_mkdir_async, &a, h_mkdir, r);
}

static int r_symlink(struct rpc_context *rpc, const struct fhbuf *dir, const char *name, const char *target,
                     struct rres *r) {
  SYMLINK3args a;
  memset(&a, 0, sizeof a);
  a.where.dir = fh3(dir);
  a.where.name = (char *)name;
  a.symlink.symlink_attributes = sattr_mode(0777);
  a.symlink.symlink_data = (char *)target;
  return RAW(rpc, rpc_nfs3_symlink_async, &a, h_symlink, r);
}

static int r_readlink(struct rpc_context *rpc, const struct fhbuf *fh, struct rres *r) {
  READLINK3args a;
  a.symlink = fh3(fh);
  return RAW(rpc, rpc_nfs3_readlink_async, &a, h_readlink, r);
}

static int r_setattr(struct rpc_context *rpc, const struct fhbuf *fh, sattr3 s, const nfstime3 *guard, struct rres *r) {
  SETATTR3args a;
  memset(&a, 0, sizeof a);
  a.object = fh3(fh);
  a.new_attributes = s;
  if (guard) {
    a.guard.check = 1;
    a.guard.sattrguard3_u.obj_ctime = *guard;
  }
  return RAW(rpc, rpc_nfs3_setattr_async, &a, h_setattr, r);
}

static int r_remove(struct rpc_context *rpc, const struct fhbuf *dir, const char *name, struct rres *r) {
  REMOVE3args a;
  a.object.dir = fh3(dir);
  a.object.name = (char *)name;
  return RAW(rpc, rpc_nfs3_remove_async, &a, h_status_only, r);
}

static int r_rmdir(struct rpc_context *rpc, const struct fhbuf *dir, const char *name, struct rres *r) {
  RMDIR3args a;
  a.object.dir = fh3(dir);
  a.object.name = (char *)name;
  return RAW(rpc, rpc_nfs3_rmdir_async, &a, h_status_only, r);
}

static int r_rename(struct rpc_context *rpc, const struct fhbuf *fromdir, const char *from, const struct fhbuf *todir,
                    const char *to, struct rres *r) {
  RENAME3args a;
  a.from.dir = fh3(fromdir);
  a.from.name = (char *)from;
  a.to.dir = fh3(todir);
  a.to.name = (char *)to;
  return RAW(rpc, rpc_nfs3_rename_async, &a, h_status_only, r);
}

static int r_link(struct rpc_context *rpc, const struct fhbuf *file, const struct fhbuf *dir, const char *name,
                  struct rres *r) {
  LINK3args a;
  a.file = fh3(file);
  a.link.dir = fh3(dir);
  a.link.name = (char *)name;
  return RAW(rpc, rpc_nfs3_link_async, &a, h_link, r);
}

static int r_readdir(struct rpc_context *rpc, const struct fhbuf *dir, uint64_t cookie, const char *verf,
                     uint32_t count, struct dirpage *p, struct rres *r) {
  READDIR3args a;
  memset(&a, 0, sizeof a);
  a.dir = fh3(dir);
  a.cookie = cookie;
  memcpy(a.cookieverf, verf, NFS3_COOKIEVERFSIZE);
  a.count = count;
  r->dir = p;
  return RAW(rpc, rpc_nfs3_readdir_async, &a, h_readdir, r);
}

static int r_readdirplus(struct rpc_context *rpc, const struct fhbuf *dir, uint64_t cookie, const char *verf,
                         uint32_t dircount, uint32_t maxcount, struct dirpage *p, struct rres *r) {
  READDIRPLUS3args a;
  memset(&a, 0, sizeof a);
  a.dir = fh3(dir);
  a.cookie = cookie;
  memcpy(a.cookieverf, verf, NFS3_COOKIEVERFSIZE);
  a.dircount = dircount;
  a.maxcount = maxcount;
  r->dir = p;
  return RAW(rpc, rpc_nfs3_readdirplus_async, &a, h_readdirplus, r);
}

static void dirpage_free(struct dirpage *p) {
  for (int i = 0; i < p->n; i++) free(p->ents[i].name);
  free(p->ents);
  memset(p, 0, sizeof *p);
}

/* Reads a directory to its end from `cookie` with READDIR (count 1024) or READDIRPLUS
 * (dircount 1024, maxcount 8192), appending every entry to `p` and keeping `verf` current.
 * Returns the number of pages, or -1 after reporting the failure as check `name`. */
static int read_dir_pages(struct rpc_context *rpc, const struct fhbuf *dir, int plus, uint64_t cookie, char *verf,
                          const char *name, struct dirpage *p, struct rres *r) {
  for (int pages = 0;;) {
    int before = p->n;
    int rc = plus ? r_readdirplus(rpc, dir, cookie, verf, 1024, 8192, p, r)
                  : r_readdir(rpc, dir, cookie, verf, 1024, p, r);
    if (rc != 0 || r->status != NFS3_OK) {
      failf(name, "page %d (cookie %" PRIu64 "): %s", pages, cookie, rstat(r));
      return -1;
    }
    pages++;
    memcpy(verf, p->verf, 8);
    if (p->eof || pages > 100000) return pages;
    if (p->n == before) {
      failf(name, "page %d: no entries and no eof", pages);
      return -1;
    }
    cookie = p->ents[p->n - 1].cookie;
  }
}

static void names_free(struct rres *r) {
  for (int i = 0; i < r->nnames; i++) free(r->names[i]);
  free(r->names);
  r->names = NULL;
  r->nnames = 0;
}

/* ------------------------------------------------------------------ data pattern */

static inline uint64_t mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

/* pseudo-random but position-addressable: byte at offset off of the stream with this seed */
static void fill_pattern(uint8_t *b, uint64_t seed, uint64_t off, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint64_t o = off + i;
    uint64_t w = mix64(seed * 0x9E3779B97F4A7C15ULL + (o >> 3));
    unsigned k = (unsigned)(o & 7);
    for (; k < 8 && i < n; k++, i++) b[i] = (uint8_t)(w >> (k * 8));
  }
}

/* first offset where buf differs from the pattern, or -1 */
static int64_t diff_pattern(const uint8_t *b, uint64_t seed, uint64_t off, size_t n) {
  static uint8_t tmp[1 << 20];
  size_t done = 0;
  while (done < n) {
    size_t m = n - done > sizeof tmp ? sizeof tmp : n - done;
    fill_pattern(tmp, seed, off + done, m);
    if (memcmp(tmp, b + done, m) != 0)
      for (size_t i = 0; i < m; i++)
        if (tmp[i] != b[done + i]) return (int64_t)(off + done + i);
    done += m;
  }
  return -1;
}

/* ------------------------------------------------------------------ high-level helpers */

#define CHUNK (1u << 20)
static uint8_t *iobuf;

/* mounts `path` (the export or a directory inside it) as uid:gid */
static struct nfs_context *hl_mount_path(const char *path, int uid, int gid, char *err, size_t errlen) {
  struct nfs_context *nfs = nfs_init_context();
  if (!nfs) {
    snprintf(err, errlen, "nfs_init_context failed");
    return NULL;
  }
  char url[1024];
  snprintf(url, sizeof url, "nfs://%s%s?nfsport=%d&mountport=%d&version=3&uid=%d&gid=%d", opt_server, path,
           opt_nfsport, opt_mountport, uid, gid);
  struct nfs_url *u = nfs_parse_url_dir(nfs, url);
  if (!u) {
    snprintf(err, errlen, "nfs_parse_url_dir(%.200s): %.200s", url, nfs_get_error(nfs));
    nfs_destroy_context(nfs);
    return NULL;
  }
  nfs_set_uid(nfs, uid);
  nfs_set_gid(nfs, gid);
  nfs_set_dircache(nfs, 0); /* always ask the server */
  nfs_set_timeout(nfs, opt_timeout_ms);
  nfs_umask(nfs, 0);
  int rc = nfs_mount(nfs, u->server, u->path);
  if (rc != 0) {
    snprintf(err, errlen, "nfs_mount(%s, %s) as %d:%d: %s", u->server, u->path, uid, gid, hl_err(nfs, rc));
    nfs_destroy_url(u);
    nfs_destroy_context(nfs);
    return NULL;
  }
  nfs_destroy_url(u);
  return nfs;
}

static struct nfs_context *hl_mount(int uid, int gid, char *err, size_t errlen) {
  return hl_mount_path(opt_export, uid, gid, err, errlen);
}

/* write size bytes of pattern(seed) to a new file; "" on success, else why */
static const char *write_pattern_file(struct nfs_context *nfs, const char *path, uint64_t size, uint64_t seed) {
  static char why[1024];
  struct nfsfh *fh = NULL;
  int rc = nfs_creat(nfs, path, 0644, &fh);
  if (rc != 0) {
    snprintf(why, sizeof why, "creat: %s", hl_err(nfs, rc));
    return why;
  }
  uint64_t off = 0;
  while (off < size) {
    uint64_t n = size - off > CHUNK ? CHUNK : size - off;
    fill_pattern(iobuf, seed, off, n);
    rc = nfs_pwrite(nfs, fh, off, n, iobuf);
    if (rc <= 0) {
      snprintf(why, sizeof why, "pwrite at %" PRIu64 " (%" PRIu64 " bytes): %s", off, n, hl_err(nfs, rc));
      nfs_close(nfs, fh);
      return why;
    }
    off += (uint64_t)rc;
  }
  rc = nfs_fsync(nfs, fh);
  if (rc != 0) {
    snprintf(why, sizeof why, "fsync (COMMIT): %s", hl_err(nfs, rc));
    nfs_close(nfs, fh);
    return why;
  }
  nfs_close(nfs, fh);
  return "";
}

/* read the whole file back and compare with pattern(seed) of length size; "" on success */
static const char *verify_pattern_file(struct nfs_context *nfs, const char *path, uint64_t size, uint64_t seed) {
  static char why[1024];
  struct nfsfh *fh = NULL;
  struct nfs_stat_64 st = {0};
  int rc = nfs_stat64(nfs, path, &st);
  if (rc != 0) {
    snprintf(why, sizeof why, "stat: %s", hl_err(nfs, rc));
    return why;
  }
  if (st.nfs_size != size) {
    snprintf(why, sizeof why, "GETATTR size %" PRIu64 ", expected %" PRIu64, st.nfs_size, size);
    return why;
  }
  rc = nfs_open(nfs, path, O_RDONLY, &fh);
  if (rc != 0) {
    snprintf(why, sizeof why, "open: %s", hl_err(nfs, rc));
    return why;
  }
  uint64_t off = 0;
  while (off < size) {
    uint64_t n = size - off > CHUNK ? CHUNK : size - off;
    rc = nfs_pread(nfs, fh, off, n, iobuf);
    if (rc <= 0) {
      snprintf(why, sizeof why, "pread at %" PRIu64 ": %s", off, rc == 0 ? "unexpected EOF" : hl_err(nfs, rc));
      nfs_close(nfs, fh);
      return why;
    }
    int64_t bad = diff_pattern(iobuf, seed, off, (size_t)rc);
    if (bad >= 0) {
      snprintf(why, sizeof why, "content differs at offset %" PRId64, bad);
      nfs_close(nfs, fh);
      return why;
    }
    off += (uint64_t)rc;
  }
  rc = nfs_pread(nfs, fh, size, 4096, iobuf);
  nfs_close(nfs, fh);
  if (rc != 0) {
    snprintf(why, sizeof why, "read at EOF returned %s, expected 0 bytes", hl_err(nfs, rc));
    return why;
  }
  return "";
}

static int hl_write_all(struct nfs_context *nfs, struct nfsfh *fh, uint64_t off, const void *buf, uint64_t n) {
  uint64_t done = 0;
  while (done < n) {
    int rc = nfs_pwrite(nfs, fh, off + done, n - done, (const char *)buf + done);
    if (rc <= 0) return rc < 0 ? rc : -EIO;
    done += (uint64_t)rc;
  }
  return 0;
}

static int write_small(struct nfs_context *nfs, const char *path, const char *content) {
  struct nfsfh *fh = NULL;
  int rc = nfs_creat(nfs, path, 0644, &fh);
  if (rc != 0) return rc;
  rc = hl_write_all(nfs, fh, 0, content, strlen(content));
  nfs_close(nfs, fh);
  return rc;
}

/* read up to cap-1 bytes as a string; returns bytes or -errno */
static int read_small(struct nfs_context *nfs, const char *path, char *out, size_t cap) {
  struct nfsfh *fh = NULL;
  int rc = nfs_open(nfs, path, O_RDONLY, &fh);
  if (rc != 0) return rc;
  rc = nfs_pread(nfs, fh, 0, cap - 1, out);
  nfs_close(nfs, fh);
  if (rc >= 0) out[rc] = 0;
  return rc;
}

static int rm_rf(struct nfs_context *nfs, const char *path) {
  struct nfs_stat_64 st = {0};
  int rc = nfs_lstat64(nfs, path, &st);
  if (rc != 0) return rc;
  if (!S_ISDIR(st.nfs_mode)) return nfs_unlink(nfs, path);
  struct nfsdir *d = NULL;
  rc = nfs_opendir(nfs, path, &d);
  if (rc != 0) return rc;
  char **names = NULL;
  int n = 0;
  struct nfsdirent *e;
  while ((e = nfs_readdir(nfs, d)) != NULL) {
    if (!strcmp(e->name, ".") || !strcmp(e->name, "..")) continue;
    names = realloc(names, sizeof(char *) * (n + 1));
    names[n++] = strdup(e->name);
  }
  nfs_closedir(nfs, d);
  int first_err = 0;
  for (int i = 0; i < n; i++) {
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", path, names[i]);
    int r = rm_rf(nfs, p);
    if (r != 0 && !first_err) first_err = r;
    free(names[i]);
  }
  free(names);
  if (first_err) return first_err;
  return nfs_rmdir(nfs, path);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* every expected name exactly once; nothing else except "." and "..". "" when so, else why */
static const char *check_names_once(char **got, int ngot, int nexpected, const char *fmt_prefix) {
  static char why[1024];
  char **v = malloc(sizeof(char *) * (ngot ? ngot : 1));
  int n = 0;
  for (int i = 0; i < ngot; i++)
    if (strcmp(got[i], ".") && strcmp(got[i], "..")) v[n++] = got[i];
  qsort(v, n, sizeof(char *), cmp_str);
  why[0] = 0;
  for (int i = 1; i < n; i++)
    if (!strcmp(v[i], v[i - 1])) {
      snprintf(why, sizeof why, "duplicate entry %s", v[i]);
      break;
    }
  if (!why[0]) {
    int idx = 0;
    for (int i = 0; i < nexpected && !why[0]; i++) {
      char want[256];
      snprintf(want, sizeof want, "%s%05d", fmt_prefix, i);
      /* expected names sort in index order (zero-padded) */
      if (idx >= n || strcmp(v[idx], want) != 0) {
        snprintf(why, sizeof why, "missing %s (listing has %d names, expected %d)", want, n, nexpected);
        break;
      }
      idx++;
    }
    if (!why[0] && n != nexpected) snprintf(why, sizeof why, "%d names listed, expected %d", n, nexpected);
  }
  free(v);
  return why;
}

/* ------------------------------------------------------------------ the suites */

static struct nfs_context *nfs0, *nfs1; /* uid 0, uid2 */
static struct rpc_context *mnt_rpc, *rpc0, *rpc1;
static struct fhbuf rootfh;
static char W[256]; /* work dir, path from the export root */
static char Wname[128];
static struct fhbuf wfh;

static void P(char *out, size_t cap, const char *rel) { snprintf(out, cap, "%s/%s", W, rel); }
#define PATHOF(var, rel)                                                                                               \
  char var[1024];                                                                                                      \
  P(var, sizeof var, rel)

static int lookup_path_fh(const char *rel, struct fhbuf *out) {
  /* rel is relative to W, one component */
  struct rres r;
  if (r_lookup(rpc0, &wfh, rel, &r) != 0 || r.status != NFS3_OK || !r.has_fh) return -1;
  *out = r.fh;
  return 0;
}

static void suite_mount(void) {
  char err[512];
  struct rres r;
  mnt_rpc = raw_connect(opt_mountport, MOUNT_PROGRAM, MOUNT_V3, 0, 0, err, sizeof err);
  if (!check("mount.connect", mnt_rpc != NULL, "%s", err)) return;
  {
    struct call c = {0, h_null, &r};
    memset(&r, 0, offsetof(struct rres, buf));
    int q = rpc_mount3_null_async(mnt_rpc, call_cb, &c);
    check("mount.null", q == 0 && wait_call(mnt_rpc, &c) == 0, "%s", q ? rpc_get_error(mnt_rpc) : r.err);
  }
  if (RAW(mnt_rpc, rpc_mount3_mnt_async, (char *)opt_export, h_mnt, &r) != 0) {
    failf("mount.mnt", "%s", r.err);
  } else if (check("mount.mnt", r.status == MNT3_OK && r.has_fh && r.fh.len > 0, "MNT %s: mountstat3 %d, fh len %u",
                   opt_export, r.status, r.fh.len)) {
    rootfh = r.fh;
  }
  {
    struct call c = {0, h_export, &r};
    memset(&r, 0, offsetof(struct rres, buf));
    int q = rpc_mount3_export_async(mnt_rpc, call_cb, &c);
    if (q != 0 || wait_call(mnt_rpc, &c) != 0) {
      failf("mount.export", "%s", q ? rpc_get_error(mnt_rpc) : r.err);
    } else {
      int found = 0;
      for (int i = 0; i < r.nnames; i++)
        if (!strcmp(r.names[i], opt_export)) found = 1;
      check("mount.export", found, "EXPORT list (%d entries) lacks %s%s%s", r.nnames, opt_export,
            r.nnames ? "; first: " : "", r.nnames ? r.names[0] : "");
      names_free(&r);
    }
  }
  {
    struct call c = {0, h_dump, &r};
    memset(&r, 0, offsetof(struct rres, buf));
    int q = rpc_mount3_dump_async(mnt_rpc, call_cb, &c);
    check("mount.dump", q == 0 && wait_call(mnt_rpc, &c) == 0, "%s", q ? rpc_get_error(mnt_rpc) : r.err);
    info("DUMP lists %d mounts", r.nnames);
    names_free(&r);
  }
  if (RAW(mnt_rpc, rpc_mount3_mnt_async, (char *)"/no-such-export-dittofs", h_mnt, &r) != 0)
    failf("mount.mnt-missing", "%s", r.err);
  else
    check("mount.mnt-missing", r.status != MNT3_OK, "MNT of a missing export returned MNT3_OK");
}

static void suite_umount(void) {
  struct rres r;
  if (!mnt_rpc) return;
  if (RAW(mnt_rpc, rpc_mount3_umnt_async, (char *)opt_export, h_null, &r) != 0)
    failf("mount.umnt", "%s", r.err);
  else
    pass("mount.umnt");
}

static void suite_fs_info(void) {
  struct rres r;
  {
    struct call c = {0, h_null, &r};
    memset(&r, 0, offsetof(struct rres, buf));
    int q = rpc_nfs3_null_async(rpc0, call_cb, &c);
    check("null", q == 0 && wait_call(rpc0, &c) == 0, "%s", q ? rpc_get_error(rpc0) : r.err);
  }
  if (r_getattr(rpc0, &rootfh, &r) != 0 || r.status != NFS3_OK)
    failf("getattr.root", "%s", rstat(&r));
  else {
    info("share root: mode 0%o owner %u:%u nlink %u fileid %" PRIu64, r.attr.mode, r.attr.uid, r.attr.gid, r.attr.nlink,
         (uint64_t)r.attr.fileid);
    check("getattr.root", r.attr.type == NF3DIR, "root type %d, expected NF3DIR", r.attr.type);
  }

  FSINFO3args fa;
  fa.fsroot = fh3(&rootfh);
  if (RAW(rpc0, rpc_nfs3_fsinfo_async, &fa, h_fsinfo, &r) != 0 || r.status != NFS3_OK) {
    failf("fsinfo", "%s", rstat(&r));
  } else {
    FSINFO3resok *f = &r.fsinfo;
    info("FSINFO rtmax=%u rtpref=%u wtmax=%u wtpref=%u dtpref=%u maxfilesize=%" PRIu64 " props=0x%x time_delta=%u.%09u",
         f->rtmax, f->rtpref, f->wtmax, f->wtpref, f->dtpref, (uint64_t)f->maxfilesize, f->properties,
         f->time_delta.seconds, f->time_delta.nseconds);
    check("fsinfo", f->rtmax >= 4096 && f->wtmax >= 4096 && f->rtpref > 0 && f->rtpref <= f->rtmax && f->wtpref > 0 &&
                        f->wtpref <= f->wtmax && f->dtpref > 0 && f->maxfilesize >= (64ULL << 20),
          "implausible FSINFO: rtmax=%u rtpref=%u wtmax=%u wtpref=%u dtpref=%u maxfilesize=%" PRIu64, f->rtmax,
          f->rtpref, f->wtmax, f->wtpref, f->dtpref, (uint64_t)f->maxfilesize);
    check("fsinfo.properties", (f->properties & (FSF3_LINK | FSF3_SYMLINK | FSF3_CANSETTIME)) ==
                                   (FSF3_LINK | FSF3_SYMLINK | FSF3_CANSETTIME),
          "properties 0x%x lack FSF3_LINK|FSF3_SYMLINK|FSF3_CANSETTIME (this client uses all three)", f->properties);
  }
  FSSTAT3args sa;
  sa.fsroot = fh3(&rootfh);
  if (RAW(rpc0, rpc_nfs3_fsstat_async, &sa, h_fsstat, &r) != 0 || r.status != NFS3_OK) {
    failf("fsstat", "%s", rstat(&r));
  } else {
    FSSTAT3resok *s = &r.fsstat;
    info("FSSTAT tbytes=%" PRIu64 " fbytes=%" PRIu64 " abytes=%" PRIu64 " tfiles=%" PRIu64 " ffiles=%" PRIu64
         " afiles=%" PRIu64,
         (uint64_t)s->tbytes, (uint64_t)s->fbytes, (uint64_t)s->abytes, (uint64_t)s->tfiles, (uint64_t)s->ffiles,
         (uint64_t)s->afiles);
    check("fsstat", s->tbytes > 0 && s->fbytes <= s->tbytes && s->abytes <= s->fbytes && s->ffiles <= s->tfiles,
          "inconsistent FSSTAT: tbytes=%" PRIu64 " fbytes=%" PRIu64 " abytes=%" PRIu64 " tfiles=%" PRIu64
          " ffiles=%" PRIu64,
          (uint64_t)s->tbytes, (uint64_t)s->fbytes, (uint64_t)s->abytes, (uint64_t)s->tfiles, (uint64_t)s->ffiles);
  }
  PATHCONF3args pa;
  pa.object = fh3(&rootfh);
  if (RAW(rpc0, rpc_nfs3_pathconf_async, &pa, h_pathconf, &r) != 0 || r.status != NFS3_OK) {
    failf("pathconf", "%s", rstat(&r));
  } else {
    PATHCONF3resok *p = &r.pathconf;
    info("PATHCONF linkmax=%u name_max=%u no_trunc=%u chown_restricted=%u case_insensitive=%u case_preserving=%u",
         p->linkmax, p->name_max, p->no_trunc, p->chown_restricted, p->case_insensitive, p->case_preserving);
    check("pathconf", p->name_max >= 255 && p->linkmax >= 2 && p->no_trunc && p->case_preserving,
          "name_max=%u linkmax=%u no_trunc=%u case_preserving=%u", p->name_max, p->linkmax, p->no_trunc,
          p->case_preserving);
  }
  struct nfs_statvfs_64 sv;
  int rc = nfs_statvfs64(nfs0, "/", &sv);
  check("statvfs", rc == 0 && sv.f_blocks > 0, "%s", hl_err(nfs0, rc));
}

static void suite_workdir(void) {
  snprintf(Wname, sizeof Wname, "e2e-%d-%ld", (int)getpid(), (long)time(NULL));
  snprintf(W, sizeof W, "/%s", Wname);
  int rc = nfs_mkdir2(nfs0, W, 0755);
  check("mkdir.workdir", rc == 0, "mkdir %s: %s", W, hl_err(nfs0, rc));
  struct nfs_stat_64 st = {0};
  rc = nfs_stat64(nfs0, W, &st);
  if (check("getattr.workdir", rc == 0 && S_ISDIR(st.nfs_mode) && (st.nfs_mode & 07777) == 0755,
            "stat %s: %s mode 0%" PRIo64, W, hl_err(nfs0, rc), st.nfs_mode))
    check("owner.root", st.nfs_uid == 0 && st.nfs_gid == 0, "dir made by uid 0 is owned by %" PRIu64 ":%" PRIu64,
          st.nfs_uid, st.nfs_gid);
  struct rres r;
  if (r_lookup(rpc0, &rootfh, Wname, &r) != 0 || r.status != NFS3_OK || !r.has_fh) {
    failf("lookup.workdir", "LOOKUP %s in root: %s", Wname, rstat(&r));
    return;
  }
  pass("lookup.workdir");
  wfh = r.fh;
  if (r_access(rpc0, &wfh, ACCESS3_READ | ACCESS3_LOOKUP | ACCESS3_MODIFY | ACCESS3_EXTEND | ACCESS3_DELETE, &r) != 0 ||
      r.status != NFS3_OK)
    failf("access.owner", "%s", rstat(&r));
  else
    check("access.owner",
          r.access == (ACCESS3_READ | ACCESS3_LOOKUP | ACCESS3_MODIFY | ACCESS3_EXTEND | ACCESS3_DELETE),
          "ACCESS by uid 0 on its own 0755 dir granted 0x%x, expected 0x1f", r.access);

  /* MNT of a directory inside the export: a file made through the export shows at its root */
  char probe[600], sub[600], err[1024];
  snprintf(probe, sizeof probe, "%s/submount-probe", W);
  struct nfsfh *pf = NULL;
  rc = nfs_creat(nfs0, probe, 0644, &pf);
  if (rc == 0) nfs_close(nfs0, pf);
  snprintf(sub, sizeof sub, "%s%s", opt_export, W);
  struct nfs_context *subnfs = hl_mount_path(sub, 0, 0, err, sizeof err);
  if (!check("mount.subdir", subnfs != NULL, "%s", err)) return;
  rc = nfs_stat64(subnfs, "/submount-probe", &st);
  check("mount.subdir.content", rc == 0 && S_ISREG(st.nfs_mode), "stat /submount-probe: %s", hl_err(subnfs, rc));
  nfs_destroy_context(subnfs);
  snprintf(sub, sizeof sub, "%s%s/no-such-dir", opt_export, W);
  subnfs = hl_mount_path(sub, 0, 0, err, sizeof err);
  check("mount.subdir.missing", subnfs == NULL, "mounting %s succeeded", sub);
  if (subnfs) nfs_destroy_context(subnfs);
  nfs_unlink(nfs0, probe);
}

#define SEED_1MIB 1004
static void suite_sizes(void) {
  static const struct {
    const char *label;
    uint64_t size;
  } sizes[] = {{"0", 0},
               {"1", 1},
               {"4095", 4095},
               {"4096", 4096},
               {"1MiB", 1 << 20},
               {"4MiB+1", (4 << 20) + 1},
               {"8MiB", 8 << 20}};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    char name[64], path[1024];
    snprintf(name, sizeof name, "size.%s", sizes[i].label);
    snprintf(path, sizeof path, "%s/size-%s", W, sizes[i].label);
    uint64_t seed = 1000 + i; /* size-1MiB (index 4) is SEED_1MIB */
    const char *why = write_pattern_file(nfs0, path, sizes[i].size, seed);
    if (*why) {
      failf(name, "write %" PRIu64 " bytes: %s", sizes[i].size, why);
      continue;
    }
    why = verify_pattern_file(nfs0, path, sizes[i].size, seed);
    check(name, !*why, "read back %" PRIu64 " bytes: %s", sizes[i].size, why);
  }
  /* overwrite in the middle, not aligned, and read the three regions back */
  {
    PATHOF(path, "size-1MiB");
    struct nfsfh *fh = NULL;
    int rc = nfs_open(nfs0, path, O_RDWR, &fh);
    if (rc != 0) {
      failf("write.overwrite-middle", "open: %s", hl_err(nfs0, rc));
    } else {
      uint8_t patch[10000];
      fill_pattern(patch, 77, 0, sizeof patch);
      rc = hl_write_all(nfs0, fh, 12345, patch, sizeof patch);
      uint8_t *back = malloc(1 << 20);
      int got = rc == 0 ? nfs_pread(nfs0, fh, 0, 1 << 20, back) : rc;
      nfs_close(nfs0, fh);
      const char *why = "";
      static char wb[256];
      if (rc != 0)
        why = hl_err(nfs0, rc);
      else if (got != (1 << 20)) {
        snprintf(wb, sizeof wb, "read %d bytes, expected %d", got, 1 << 20);
        why = wb;
      } else if (diff_pattern(back, SEED_1MIB, 0, 12345) >= 0 || memcmp(back + 12345, patch, sizeof patch) != 0 ||
                 diff_pattern(back + 12345 + sizeof patch, SEED_1MIB, 12345 + sizeof patch,
                              (1 << 20) - 12345 - sizeof patch) >= 0)
        why = "content wrong after an unaligned 10000-byte overwrite at 12345";
      check("write.overwrite-middle", !*why, "%s", why);
      free(back);
    }
  }
}

static void suite_sparse_truncate(void) {
  PATHOF(sp, "sparse");
  struct nfsfh *fh = NULL;
  const uint64_t at = 10 << 20;
  int rc = nfs_creat(nfs0, sp, 0644, &fh);
  if (rc != 0) {
    failf("sparse", "creat: %s", hl_err(nfs0, rc));
  } else {
    uint8_t tail[4096];
    fill_pattern(tail, 55, at, sizeof tail);
    rc = hl_write_all(nfs0, fh, at, tail, sizeof tail);
    struct nfs_stat_64 st = {0};
    int src = nfs_fstat64(nfs0, fh, &st);
    const char *why = "";
    static char wb[512];
    if (rc != 0)
      why = hl_err(nfs0, rc);
    else if (src != 0 || st.nfs_size != at + sizeof tail) {
      snprintf(wb, sizeof wb, "size %" PRIu64 " after writing 4096 bytes at 10 MiB (%s)", st.nfs_size,
               hl_err(nfs0, src));
      why = wb;
    } else {
      for (uint64_t off = 0; off < at && !*why; off += CHUNK) {
        int got = nfs_pread(nfs0, fh, off, CHUNK, iobuf);
        if (got != (int)CHUNK) {
          snprintf(wb, sizeof wb, "read of the hole at %" PRIu64 " returned %s", off, hl_err(nfs0, got));
          why = wb;
          break;
        }
        for (size_t i = 0; i < CHUNK; i++)
          if (iobuf[i]) {
            snprintf(wb, sizeof wb, "hole byte at %" PRIu64 " is 0x%02x, expected 0", off + i, iobuf[i]);
            why = wb;
            break;
          }
      }
      if (!*why) {
        int got = nfs_pread(nfs0, fh, at, sizeof tail, iobuf);
        if (got != (int)sizeof tail || memcmp(iobuf, tail, sizeof tail) != 0) why = "data after the hole is wrong";
      }
    }
    nfs_close(nfs0, fh);
    check("sparse", !*why, "%s", why);
  }

  /* truncate down and up (SETATTR size) */
  PATHOF(tp, "trunc");
  const char *w = write_pattern_file(nfs0, tp, 1 << 20, 99);
  if (*w) {
    failf("truncate.down", "setup: %s", w);
    return;
  }
  rc = nfs_truncate(nfs0, tp, 1000);
  if (rc != 0) {
    failf("truncate.down", "truncate to 1000: %s", hl_err(nfs0, rc));
  } else {
    w = verify_pattern_file(nfs0, tp, 1000, 99);
    check("truncate.down", !*w, "after truncate to 1000: %s", w);
  }
  rc = nfs_truncate(nfs0, tp, 2 << 20);
  if (rc != 0) {
    failf("truncate.up", "truncate to 2 MiB: %s", hl_err(nfs0, rc));
  } else {
    struct nfsfh *f2 = NULL;
    const char *why = "";
    static char wb[256];
    struct nfs_stat_64 st = {0};
    rc = nfs_stat64(nfs0, tp, &st);
    if (rc != 0 || st.nfs_size != (2u << 20)) {
      snprintf(wb, sizeof wb, "size %" PRIu64 " (%s), expected 2097152", st.nfs_size, hl_err(nfs0, rc));
      why = wb;
    } else if ((rc = nfs_open(nfs0, tp, O_RDONLY, &f2)) != 0) {
      why = hl_err(nfs0, rc);
    } else {
      uint8_t *b = malloc(2 << 20);
      int got = nfs_pread(nfs0, f2, 0, 2 << 20, b);
      nfs_close(nfs0, f2);
      if (got != (2 << 20)) {
        snprintf(wb, sizeof wb, "read %d bytes of 2 MiB", got);
        why = wb;
      } else if (diff_pattern(b, 99, 0, 1000) >= 0) {
        why = "first 1000 bytes changed";
      } else {
        for (size_t i = 1000; i < (2u << 20); i++)
          if (b[i]) {
            snprintf(wb, sizeof wb, "byte %zu is 0x%02x after extending truncate (stale data?)", i, b[i]);
            why = wb;
            break;
          }
      }
      free(b);
    }
    check("truncate.up", !*why, "%s", why);
  }
  /* ftruncate on an open handle, then write past the new end */
  {
    struct nfsfh *f3 = NULL;
    rc = nfs_open(nfs0, tp, O_RDWR, &f3);
    if (rc == 0) {
      rc = nfs_ftruncate(nfs0, f3, 10);
      struct nfs_stat_64 st = {0};
      int s2 = nfs_fstat64(nfs0, f3, &st);
      nfs_close(nfs0, f3);
      check("truncate.ftruncate", rc == 0 && s2 == 0 && st.nfs_size == 10, "ftruncate(10): %s, size %" PRIu64,
            hl_err(nfs0, rc), st.nfs_size);
    } else {
      failf("truncate.ftruncate", "open: %s", hl_err(nfs0, rc));
    }
  }
}

static void suite_names(void) {
  int rc;
  struct nfs_stat_64 st = {0};
  char buf[256];
  /* rename over an existing file */
  PATHOF(a, "ren-a");
  PATHOF(b, "ren-b");
  if ((rc = write_small(nfs0, a, "content A")) != 0 || (rc = write_small(nfs0, b, "content B, longer")) != 0) {
    failf("rename.over-existing", "setup: %s", hl_err(nfs0, rc));
  } else {
    rc = nfs_rename(nfs0, a, b);
    int got = read_small(nfs0, b, buf, sizeof buf);
    int gone = nfs_stat64(nfs0, a, &st);
    check("rename.over-existing", rc == 0 && got >= 0 && !strcmp(buf, "content A") && gone == -ENOENT,
          "rename: %s; target reads \"%s\"; source stat: %s", hl_err(nfs0, rc), got >= 0 ? buf : "?",
          hl_err(nfs0, gone));
  }
  rc = nfs_rename(nfs0, a, b); /* a no longer exists */
  check("rename.missing-source", rc == -ENOENT, "rename of a missing file: %s, expected ENOENT", hl_err(nfs0, rc));
  /* rename a directory into another directory, with content */
  {
    PATHOF(d1, "ren-dir1");
    PATHOF(d2, "ren-dir2");
    PATHOF(f, "ren-dir1/inner");
    PATHOF(moved, "ren-dir2/moved-dir1/inner");
    PATHOF(dst, "ren-dir2/moved-dir1");
    rc = nfs_mkdir2(nfs0, d1, 0755);
    if (rc == 0) rc = nfs_mkdir2(nfs0, d2, 0755);
    if (rc == 0) rc = write_small(nfs0, f, "inner");
    if (rc == 0) rc = nfs_rename(nfs0, d1, dst);
    int got = rc == 0 ? read_small(nfs0, moved, buf, sizeof buf) : rc;
    check("rename.dir", rc == 0 && got > 0 && !strcmp(buf, "inner"), "%s / read %s", hl_err(nfs0, rc),
          hl_err(nfs0, got));
  }

  /* hard links */
  PATHOF(l1, "link-src");
  PATHOF(l2, "link-dst");
  if ((rc = write_small(nfs0, l1, "linked")) != 0) {
    failf("link", "setup: %s", hl_err(nfs0, rc));
  } else {
    rc = nfs_link(nfs0, l1, l2);
    struct nfs_stat_64 s1 = {0}, s2 = {0};
    int r1 = nfs_stat64(nfs0, l1, &s1), r2 = nfs_stat64(nfs0, l2, &s2);
    if (check("link", rc == 0 && r1 == 0 && r2 == 0, "link: %s", hl_err(nfs0, rc))) {
      check("link.nlink-2", s1.nfs_nlink == 2 && s2.nfs_nlink == 2, "nlink %" PRIu64 "/%" PRIu64 ", expected 2",
            s1.nfs_nlink, s2.nfs_nlink);
      check("link.same-fileid", s1.nfs_ino == s2.nfs_ino, "fileids %" PRIu64 " vs %" PRIu64, s1.nfs_ino, s2.nfs_ino);
      int got = read_small(nfs0, l2, buf, sizeof buf);
      check("link.content", got > 0 && !strcmp(buf, "linked"), "link reads %s", hl_err(nfs0, got));
      rc = nfs_unlink(nfs0, l2);
      r1 = nfs_stat64(nfs0, l1, &s1);
      check("link.nlink-1", rc == 0 && r1 == 0 && s1.nfs_nlink == 1, "unlink: %s; nlink %" PRIu64 ", expected 1",
            hl_err(nfs0, rc), s1.nfs_nlink);
    }
    rc = nfs_link(nfs0, l1, l1);
    check("link.exists", rc == -EEXIST, "link onto an existing name: %s, expected EEXIST", hl_err(nfs0, rc));
  }

  /* symlinks */
  PATHOF(sl, "sym");
  rc = nfs_symlink(nfs0, "some/target/../path", sl);
  if (check("symlink", rc == 0, "%s", hl_err(nfs0, rc))) {
    rc = nfs_readlink(nfs0, sl, buf, sizeof buf);
    check("readlink", rc == 0 && !strcmp(buf, "some/target/../path"), "readlink: %s \"%s\"", hl_err(nfs0, rc),
          rc == 0 ? buf : "");
    rc = nfs_lstat64(nfs0, sl, &st);
    check("symlink.lstat", rc == 0 && S_ISLNK(st.nfs_mode) && st.nfs_size == strlen("some/target/../path"),
          "lstat: %s mode 0%" PRIo64 " size %" PRIu64, hl_err(nfs0, rc), st.nfs_mode, st.nfs_size);
  }
  /* a symlink to a file in the same dir is followed by the client */
  {
    PATHOF(sl2, "sym-to-link-src");
    rc = nfs_symlink(nfs0, "link-src", sl2);
    int got = rc == 0 ? read_small(nfs0, sl2, buf, sizeof buf) : rc;
    check("symlink.follow", got > 0 && !strcmp(buf, "linked"), "%s", hl_err(nfs0, got));
  }

  /* mkdir / rmdir */
  PATHOF(d, "dir");
  rc = nfs_mkdir2(nfs0, d, 0750);
  int sr = nfs_stat64(nfs0, d, &st);
  check("mkdir", rc == 0 && sr == 0 && S_ISDIR(st.nfs_mode) && (st.nfs_mode & 07777) == 0750 && st.nfs_nlink >= 2,
        "mkdir: %s; stat: %s mode 0%" PRIo64 " nlink %" PRIu64, hl_err(nfs0, rc), hl_err(nfs0, sr), st.nfs_mode,
        st.nfs_nlink);
  rc = nfs_mkdir2(nfs0, d, 0750);
  check("mkdir.exists", rc == -EEXIST, "second mkdir: %s, expected EEXIST", hl_err(nfs0, rc));
  rc = nfs_rmdir(nfs0, d);
  sr = nfs_stat64(nfs0, d, &st);
  check("rmdir", rc == 0 && sr == -ENOENT, "rmdir: %s; stat after: %s", hl_err(nfs0, rc), hl_err(nfs0, sr));
  rc = nfs_rmdir(nfs0, l1);
  check("rmdir.notdir", rc == -ENOTDIR, "rmdir of a file: %s, expected ENOTDIR", hl_err(nfs0, rc));
  rc = nfs_unlink(nfs0, l1);
  sr = nfs_stat64(nfs0, l1, &st);
  check("remove", rc == 0 && sr == -ENOENT, "unlink: %s; stat after: %s", hl_err(nfs0, rc), hl_err(nfs0, sr));
}

static void suite_setattr(void) {
  PATHOF(f, "attrs");
  int rc = write_small(nfs0, f, "attrs");
  if (rc != 0) {
    failf("chmod", "setup: %s", hl_err(nfs0, rc));
    return;
  }
  struct nfs_stat_64 st = {0};
  rc = nfs_chmod(nfs0, f, 0640);
  int sr = nfs_stat64(nfs0, f, &st);
  check("chmod", rc == 0 && sr == 0 && (st.nfs_mode & 07777) == 0640 && S_ISREG(st.nfs_mode),
        "chmod 0640: %s; mode now 0%" PRIo64, hl_err(nfs0, rc), st.nfs_mode);
  rc = nfs_chmod(nfs0, f, 04755);
  sr = nfs_stat64(nfs0, f, &st);
  check("chmod.setuid", rc == 0 && sr == 0 && (st.nfs_mode & 07777) == 04755, "chmod 04755: %s; mode now 0%" PRIo64,
        hl_err(nfs0, rc), st.nfs_mode);
  rc = nfs_chown(nfs0, f, 1234, 5678);
  sr = nfs_stat64(nfs0, f, &st);
  check("chown", rc == 0 && sr == 0 && st.nfs_uid == 1234 && st.nfs_gid == 5678,
        "chown 1234:5678: %s; owner now %" PRIu64 ":%" PRIu64, hl_err(nfs0, rc), st.nfs_uid, st.nfs_gid);
  check("chown.clears-setuid", sr == 0 && (st.nfs_mode & 07777) == 0755,
        "mode 0%" PRIo64 " after chown of a 04755 file, expected 0755", st.nfs_mode & 07777);
  struct timeval tv[2] = {{1000000000, 123456}, {1234567890, 654321}};
  rc = nfs_utimes(nfs0, f, tv);
  sr = nfs_stat64(nfs0, f, &st);
  check("utimes", rc == 0 && sr == 0 && st.nfs_atime == 1000000000 && st.nfs_mtime == 1234567890,
        "utimes: %s; atime %" PRIu64 " mtime %" PRIu64, hl_err(nfs0, rc), st.nfs_atime, st.nfs_mtime);
  check("utimes.nsec", sr == 0 && st.nfs_atime_nsec == 123456000 && st.nfs_mtime_nsec == 654321000,
        "atime_nsec %" PRIu64 " mtime_nsec %" PRIu64 ", expected 123456000 / 654321000", st.nfs_atime_nsec,
        st.nfs_mtime_nsec);

  /* raw SETATTR: guard, server time, size */
  struct fhbuf fh;
  struct rres r;
  if (lookup_path_fh("attrs", &fh) != 0) {
    failf("setattr.guard", "LOOKUP attrs failed");
    return;
  }
  if (r_getattr(rpc0, &fh, &r) != 0 || r.status != NFS3_OK) {
    failf("setattr.guard", "GETATTR: %s", rstat(&r));
    return;
  }
  nfstime3 ctime_now = r.attr.ctime, wrong = r.attr.ctime;
  wrong.seconds -= 1000;
  r_setattr(rpc0, &fh, sattr_mode(0600), &wrong, &r);
  check("setattr.guard-mismatch", r.rpc_ok && r.status == NFS3ERR_NOT_SYNC,
        "SETATTR with a stale ctime guard: %s, expected NFS3ERR_NOT_SYNC", rstat(&r));
  r_setattr(rpc0, &fh, sattr_mode(0600), &ctime_now, &r);
  check("setattr.guard-match", r.rpc_ok && r.status == NFS3_OK && r.has_attr && (r.attr.mode & 07777) == 0600,
        "SETATTR with the current ctime guard: %s, mode 0%o", rstat(&r), r.has_attr ? r.attr.mode : 0);
  check("setattr.wcc", r.rpc_ok && r.wcc_after, "SETATTR reply carries no post-op attributes (wcc after)");
  sattr3 s = sattr_none();
  s.mtime.set_it = SET_TO_SERVER_TIME;
  s.atime.set_it = SET_TO_SERVER_TIME;
  r_setattr(rpc0, &fh, s, NULL, &r);
  time_t t = time(NULL);
  if (r_getattr(rpc0, &fh, &r) != 0 || r.status != NFS3_OK)
    failf("setattr.server-time", "%s", rstat(&r));
  else
    check("setattr.server-time", llabs((long long)r.attr.mtime.seconds - (long long)t) < 120,
          "mtime %u after SET_TO_SERVER_TIME, local clock %ld", r.attr.mtime.seconds, (long)t);
  s = sattr_none();
  s.size.set_it = 1;
  s.size.set_size3_u.size = 3;
  r_setattr(rpc0, &fh, s, NULL, &r);
  int ok1 = r.rpc_ok && r.status == NFS3_OK;
  r_getattr(rpc0, &fh, &r);
  check("setattr.size", ok1 && r.status == NFS3_OK && r.attr.size == 3, "size %" PRIu64 " (%s)",
        (uint64_t)r.attr.size, rstat(&r));
  /* mtime moves on write */
  {
    nfstime3 before = r.attr.mtime;
    sleep(1);
    r_write(rpc0, &fh, 3, "xyz", 3, FILE_SYNC, &r);
    int wok = r.rpc_ok && r.status == NFS3_OK;
    r_getattr(rpc0, &fh, &r);
    check("write.updates-mtime",
          wok && r.status == NFS3_OK &&
              (r.attr.mtime.seconds > before.seconds ||
               (r.attr.mtime.seconds == before.seconds && r.attr.mtime.nseconds > before.nseconds)),
          "mtime %u.%09u after a write, was %u.%09u", r.attr.mtime.seconds, r.attr.mtime.nseconds, before.seconds,
          before.nseconds);
  }
}

static void suite_raw_procs(void) {
  struct rres r;
  char verf1[8] = {1, 2, 3, 4, 5, 6, 7, 8}, verf2[8] = {8, 7, 6, 5, 4, 3, 2, 1};

  /* CREATE: UNCHECKED, GUARDED on existing, EXCLUSIVE (+retry, +other verifier) */
  r_create(rpc0, &wfh, "c-unchecked", UNCHECKED, 0640, NULL, &r);
  check("create.unchecked", r.rpc_ok && r.status == NFS3_OK && r.has_fh, "%s, handle %s", rstat(&r),
        r.has_fh ? "present" : "missing");
  check("create.unchecked-mode", r.has_attr && (r.attr.mode & 07777) == 0640 && r.attr.type == NF3REG,
        "attributes %s, mode 0%o type %d", r.has_attr ? "present" : "missing", r.attr.mode, r.attr.type);
  r_create(rpc0, &wfh, "c-unchecked", GUARDED, 0644, NULL, &r);
  check("create.guarded-exists", r.rpc_ok && r.status == NFS3ERR_EXIST, "GUARDED over an existing file: %s, expected NFS3ERR_EXIST",
        rstat(&r));
  r_create(rpc0, &wfh, "c-unchecked", UNCHECKED, 0644, NULL, &r);
  check("create.unchecked-exists", r.rpc_ok && r.status == NFS3_OK, "UNCHECKED over an existing file: %s", rstat(&r));
  r_create(rpc0, &wfh, "c-excl", EXCLUSIVE, 0, verf1, &r);
  uint64_t fid = r.has_attr ? r.attr.fileid : 0;
  struct fhbuf exfh = r.fh;
  int have_ex = r.rpc_ok && r.status == NFS3_OK;
  check("create.exclusive", have_ex, "%s", rstat(&r));
  if (have_ex && !r.has_fh) {
    if (lookup_path_fh("c-excl", &exfh) != 0) have_ex = 0;
  }
  r_create(rpc0, &wfh, "c-excl", EXCLUSIVE, 0, verf1, &r);
  check("create.exclusive-retry", r.rpc_ok && r.status == NFS3_OK && (!r.has_attr || !fid || r.attr.fileid == fid),
        "retransmitted EXCLUSIVE create (same verifier): %s, expected NFS3_OK for the same file", rstat(&r));
  r_create(rpc0, &wfh, "c-excl", EXCLUSIVE, 0, verf2, &r);
  check("create.exclusive-exists", r.rpc_ok && r.status == NFS3ERR_EXIST,
        "EXCLUSIVE create with another verifier: %s, expected NFS3ERR_EXIST", rstat(&r));
  if (have_ex) { /* the client then sets the real attributes */
    r_setattr(rpc0, &exfh, sattr_mode(0600), NULL, &r);
    int ok1 = r.rpc_ok && r.status == NFS3_OK;
    r_getattr(rpc0, &exfh, &r);
    check("create.exclusive-setattr", ok1 && r.status == NFS3_OK && (r.attr.mode & 07777) == 0600 && r.attr.size == 0,
          "SETATTR after EXCLUSIVE: %s mode 0%o size %" PRIu64, rstat(&r), r.attr.mode, (uint64_t)r.attr.size);
  }
  {
    PATHOF(p, "c-excl");
    struct nfsfh *fh = NULL;
    int rc = nfs_create(nfs0, p, O_CREAT | O_EXCL | O_RDWR, 0644, &fh);
    if (rc == 0) nfs_close(nfs0, fh);
    check("err.eexist", rc == -EEXIST, "O_CREAT|O_EXCL of an existing file: %s, expected EEXIST", hl_err(nfs0, rc));
  }

  /* MKNOD: a FIFO; a regular file is BADTYPE */
  r_mknod(rpc0, &wfh, "fifo", NF3FIFO, 0644, &r);
  if (check("mknod.fifo", r.rpc_ok && r.status == NFS3_OK, "%s", rstat(&r))) {
    struct fhbuf f;
    if (lookup_path_fh("fifo", &f) == 0 && r_getattr(rpc0, &f, &r) == 0)
      check("mknod.fifo-type", r.status == NFS3_OK && r.attr.type == NF3FIFO && (r.attr.mode & 07777) == 0644,
            "type %d mode 0%o, expected NF3FIFO(7) 0644", r.attr.type, r.attr.mode);
    else
      failf("mknod.fifo-type", "LOOKUP/GETATTR of the fifo: %s", rstat(&r));
  }
  r_mknod(rpc0, &wfh, "mknod-reg", NF3REG, 0644, &r);
  check("mknod.badtype", r.rpc_ok && r.status == NFS3ERR_BADTYPE, "MKNOD of NF3REG: %s, expected NFS3ERR_BADTYPE",
        rstat(&r));

  /* MKDIR / SYMLINK / READLINK / LINK / RENAME / REMOVE / RMDIR, raw */
  r_mkdir(rpc0, &wfh, "rawdir", 0700, &r);
  struct fhbuf dfh = r.fh;
  int have_d = check("mkdir.raw", r.rpc_ok && r.status == NFS3_OK && r.has_fh, "%s", rstat(&r));
  r_mkdir(rpc0, &wfh, "rawdir", 0700, &r);
  check("mkdir.raw-exists", r.rpc_ok && r.status == NFS3ERR_EXIST, "%s, expected NFS3ERR_EXIST", rstat(&r));
  r_symlink(rpc0, &wfh, "rawsym", "/abs/target", &r);
  struct fhbuf sfh = r.fh;
  if (check("symlink.raw", r.rpc_ok && r.status == NFS3_OK, "%s", rstat(&r))) {
    if (!r.has_fh) lookup_path_fh("rawsym", &sfh);
    r_readlink(rpc0, &sfh, &r);
    check("readlink.raw", r.rpc_ok && r.status == NFS3_OK && !strcmp(r.path, "/abs/target"), "%s \"%s\"", rstat(&r),
          r.path);
  }
  struct fhbuf cfh;
  if (lookup_path_fh("c-unchecked", &cfh) == 0) {
    r_readlink(rpc0, &cfh, &r);
    check("readlink.not-symlink", r.rpc_ok && r.status == NFS3ERR_INVAL, "READLINK of a regular file: %s, expected NFS3ERR_INVAL",
          rstat(&r));
    r_lookup(rpc0, &cfh, "x", &r);
    check("lookup.notdir", r.rpc_ok && r.status == NFS3ERR_NOTDIR, "LOOKUP in a regular file: %s, expected NFS3ERR_NOTDIR",
          rstat(&r));
    if (have_d) {
      r_link(rpc0, &cfh, &dfh, "hard", &r);
      check("link.raw", r.rpc_ok && r.status == NFS3_OK && (!r.has_attr || r.attr.nlink == 2),
            "%s nlink %u", rstat(&r), r.attr.nlink);
      r_rename(rpc0, &dfh, "hard", &wfh, "hard-moved", &r);
      check("rename.raw-cross-dir", r.rpc_ok && r.status == NFS3_OK, "%s", rstat(&r));
      r_rmdir(rpc0, &wfh, "rawdir", &r);
      check("rmdir.raw", r.rpc_ok && r.status == NFS3_OK, "%s", rstat(&r));
    }
    r_remove(rpc0, &wfh, "hard-moved", &r);
    check("remove.raw", r.rpc_ok && r.status == NFS3_OK, "%s", rstat(&r));
    r_remove(rpc0, &wfh, "hard-moved", &r);
    check("remove.raw-missing", r.rpc_ok && r.status == NFS3ERR_NOENT, "%s, expected NFS3ERR_NOENT", rstat(&r));
  } else {
    failf("lookup.c-unchecked", "LOOKUP of a file just created failed");
  }
  r_lookup(rpc0, &wfh, "does-not-exist", &r);
  check("lookup.noent", r.rpc_ok && r.status == NFS3ERR_NOENT, "%s, expected NFS3ERR_NOENT", rstat(&r));
  r_lookup(rpc0, &wfh, ".", &r);
  check("lookup.dot", r.rpc_ok && r.status == NFS3_OK && r.has_fh, "LOOKUP \".\": %s", rstat(&r));
  r_lookup(rpc0, &wfh, "..", &r);
  check("lookup.dotdot", r.rpc_ok && r.status == NFS3_OK && r.has_fh, "LOOKUP \"..\": %s", rstat(&r));
  {
    struct fhbuf bad = wfh;
    for (u_int i = 0; i < bad.len; i++) bad.data[i] ^= 0x5a;
    r_getattr(rpc0, &bad, &r);
    check("getattr.bad-handle", r.rpc_ok && (r.status == NFS3ERR_BADHANDLE || r.status == NFS3ERR_STALE),
          "GETATTR of a garbled handle: %s, expected NFS3ERR_BADHANDLE or NFS3ERR_STALE", rstat(&r));
  }

  /* WRITE UNSTABLE + COMMIT (verifier), FILE_SYNC, READ with eof */
  if (lookup_path_fh("c-unchecked", &cfh) == 0) {
    static char data[65536];
    fill_pattern((uint8_t *)data, 4242, 0, sizeof data);
    r_write(rpc0, &cfh, 0, data, sizeof data, UNSTABLE, &r);
    char wverf[8];
    memcpy(wverf, r.verf, 8);
    check("write.unstable", r.rpc_ok && r.status == NFS3_OK && r.count == sizeof data, "%s count %u", rstat(&r),
          r.count);
    check("write.wcc", r.rpc_ok && r.wcc_after && r.has_attr && r.attr.size == sizeof data,
          "WRITE reply: post-op attrs %s, size %" PRIu64, r.wcc_after ? "present" : "missing", (uint64_t)r.attr.size);
    r_commit(rpc0, &cfh, 0, 0, &r);
    check("commit", r.rpc_ok && r.status == NFS3_OK, "%s", rstat(&r));
    check("commit.verifier", r.rpc_ok && memcmp(wverf, r.verf, 8) == 0,
          "COMMIT verifier differs from the WRITE verifier (server restart not expected)");
    r_write(rpc0, &cfh, sizeof data, data, 100, FILE_SYNC, &r);
    check("write.file-sync", r.rpc_ok && r.status == NFS3_OK && r.committed == FILE_SYNC && r.count == 100,
          "%s committed %d count %u", rstat(&r), r.committed, r.count);
    static char back[70000];
    r_read(rpc0, &cfh, 0, sizeof data, back, sizeof back, &r);
    check("read.raw", r.rpc_ok && r.status == NFS3_OK && r.count == sizeof data && memcmp(back, data, sizeof data) == 0 && !r.eof,
          "%s count %u eof %d", rstat(&r), r.count, r.eof);
    r_read(rpc0, &cfh, sizeof data, 4096, back, sizeof back, &r);
    check("read.raw-eof", r.rpc_ok && r.status == NFS3_OK && r.count == 100 && r.eof && memcmp(back, data, 100) == 0,
          "READ of the last 100 bytes: %s count %u eof %d", rstat(&r), r.count, r.eof);
    r_read(rpc0, &cfh, 1 << 30, 4096, back, sizeof back, &r);
    check("read.raw-past-eof", r.rpc_ok && r.status == NFS3_OK && r.count == 0 && r.eof,
          "READ past EOF: %s count %u eof %d", rstat(&r), r.count, r.eof);
    if (have_d) {
      r_read(rpc0, &wfh, 0, 4096, back, sizeof back, &r);
      check("read.isdir", r.rpc_ok && (r.status == NFS3ERR_ISDIR || r.status == NFS3ERR_INVAL),
            "READ of a directory: %s, expected NFS3ERR_ISDIR", rstat(&r));
    }
  }
}

static void suite_bigdir(void) {
  const int N = opt_dir_entries;
  const char *prefix = "entry-with-a-fairly-long-name-to-fill-pages-";
  struct rres r;
  r_mkdir(rpc0, &wfh, "bigdir", 0755, &r);
  if (!check("bigdir.mkdir", r.rpc_ok && r.status == NFS3_OK && r.has_fh, "%s", rstat(&r))) return;
  struct fhbuf bfh = r.fh;
  int created = 0;
  double t0 = now_s();
  for (int i = 0; i < N; i++) {
    char name[256];
    snprintf(name, sizeof name, "%s%05d", prefix, i);
    r_create(rpc0, &bfh, name, GUARDED, 0644, NULL, &r);
    if (!r.rpc_ok || r.status != NFS3_OK) {
      failf("bigdir.create", "CREATE #%d %s: %s", i, name, rstat(&r));
      break;
    }
    created++;
  }
  if (created != N) return;
  pass("bigdir.create");
  info("created %d files in %.2f s", N, now_s() - t0);

  /* high-level opendir/readdir (READDIRPLUS underneath) */
  char dirpath[1024];
  P(dirpath, sizeof dirpath, "bigdir");
  struct nfsdir *d = NULL;
  int rc = nfs_opendir(nfs0, dirpath, &d);
  if (rc != 0) {
    failf("readdir.opendir", "%s", hl_err(nfs0, rc));
  } else {
    char **names = NULL;
    int n = 0, cap = 0, bad_type = 0;
    struct nfsdirent *e;
    while ((e = nfs_readdir(nfs0, d)) != NULL) {
      if (n == cap) {
        cap = cap ? cap * 2 : 1024;
        names = realloc(names, sizeof(char *) * cap);
      }
      names[n++] = strdup(e->name);
      if (strcmp(e->name, ".") && strcmp(e->name, "..") && e->type != NF3REG) bad_type++;
    }
    nfs_closedir(nfs0, d);
    const char *why = check_names_once(names, n, N, prefix);
    check("readdir.every-name-once", !*why, "%s", why);
    check("readdir.types", bad_type == 0, "%d entries not reported as regular files", bad_type);
    for (int i = 0; i < n; i++) free(names[i]);
    free(names);
  }

  /* raw READDIR, paged by cookie with a small count */
  {
    struct dirpage p = {0};
    char verf[8] = {0};
    int pages = read_dir_pages(rpc0, &bfh, 0, 0, verf, "readdir.raw-paged", &p, &r);
    if (pages >= 0) {
      char **names = malloc(sizeof(char *) * (p.n ? p.n : 1));
      for (int i = 0; i < p.n; i++) names[i] = p.ents[i].name;
      const char *why = check_names_once(names, p.n, N, prefix);
      check("readdir.raw-paged", !*why, "%s (%d pages)", why, pages);
      check("readdir.raw-multi-page", pages > 2, "only %d page(s) for %d entries with count=1024", pages, N);
      info("READDIR count=1024: %d pages", pages);
      free(names);
    }
    dirpage_free(&p);
  }

  /* raw READDIRPLUS, paged, with handles and attributes; then resume from a middle cookie */
  {
    struct dirpage p = {0};
    char verf[8] = {0};
    int pages = read_dir_pages(rpc0, &bfh, 1, 0, verf, "readdirplus.raw-paged", &p, &r);
    if (pages >= 0) {
      char **names = malloc(sizeof(char *) * (p.n ? p.n : 1));
      int nofh = 0, noattr = 0, badcookie = 0;
      for (int i = 0; i < p.n; i++) {
        names[i] = p.ents[i].name;
        if (!strcmp(names[i], ".") || !strcmp(names[i], "..")) continue;
        if (!p.ents[i].has_fh) nofh++;
        if (!p.ents[i].has_attr) noattr++;
        else if (p.ents[i].attr.fileid != p.ents[i].fileid) badcookie++;
        if (p.ents[i].cookie == 0) badcookie++;
      }
      const char *why = check_names_once(names, p.n, N, prefix);
      check("readdirplus.raw-paged", !*why, "%s (%d pages)", why, pages);
      check("readdirplus.handles-attrs", nofh == 0 && noattr == 0 && badcookie == 0,
            "%d entries without a handle, %d without attributes, %d with cookie 0 or fileid mismatch", nofh, noattr,
            badcookie);
      info("READDIRPLUS dircount=1024 maxcount=8192: %d pages", pages);
      free(names);
      /* resume from the middle: must give exactly the entries after that cookie */
      if (p.n > 10) {
        int mid = p.n / 2;
        struct dirpage q = {0};
        char qverf[8];
        memcpy(qverf, verf, 8);
        int perr = read_dir_pages(rpc0, &bfh, 1, p.ents[mid].cookie, qverf, "readdirplus.resume-cookie", &q, &r) < 0;
        int same = !perr && q.n == p.n - mid - 1;
        for (int i = 0; same && i < q.n; i++)
          if (strcmp(q.ents[i].name, p.ents[mid + 1 + i].name)) same = 0;
        check("readdirplus.resume-cookie", same,
              "resuming at entry %d's cookie: %s, got %d entries, expected the %d after it", mid, rstat(&r), q.n,
              p.n - mid - 1);
        dirpage_free(&q);
      }
    }
    dirpage_free(&p);
  }
  /* READDIRPLUS with a maxcount too small for one entry: RFC 1813 says NFS3ERR_TOOSMALL; ganesha
     ignores the limit and answers NFS3_OK, so only a well-formed reply is required here */
  {
    struct dirpage p = {0};
    char verf[8] = {0};
    r_readdirplus(rpc0, &bfh, 0, verf, 10, 64, &p, &r);
    check("readdirplus.tiny-maxcount", r.rpc_ok && (r.status == NFS3ERR_TOOSMALL || r.status == NFS3_OK),
          "maxcount=64: %s with %d entries, expected NFS3ERR_TOOSMALL (or a valid reply)", rstat(&r), p.n);
    if (r.rpc_ok && r.status == NFS3_OK) info("READDIRPLUS maxcount=64 answered NFS3_OK with %d entries", p.n);
    dirpage_free(&p);
  }
  /* rmdir of the non-empty directory */
  rc = nfs_rmdir(nfs0, dirpath);
  check("err.enotempty", rc == -ENOTEMPTY || rc == -EEXIST, "rmdir of a non-empty dir: %s, expected ENOTEMPTY",
        hl_err(nfs0, rc));
}

static void suite_errors(void) {
  struct nfs_stat_64 st = {0};
  PATHOF(missing, "no/such/file");
  int rc = nfs_stat64(nfs0, missing, &st);
  check("err.enoent", rc == -ENOENT, "stat of a missing path: %s, expected ENOENT", hl_err(nfs0, rc));
  PATHOF(m2, "missing-file");
  struct nfsfh *fh = NULL;
  rc = nfs_open(nfs0, m2, O_RDONLY, &fh);
  check("err.enoent-open", rc == -ENOENT, "open of a missing file: %s, expected ENOENT", hl_err(nfs0, rc));
  char n255[300], n256[300], p[1024];
  memset(n255, 'n', 255);
  n255[255] = 0;
  memset(n256, 'N', 256);
  n256[256] = 0;
  snprintf(p, sizeof p, "%s/%s", W, n255);
  rc = nfs_creat(nfs0, p, 0644, &fh);
  if (rc == 0) nfs_close(nfs0, fh);
  check("name.255", rc == 0, "create with a 255-byte name: %s", hl_err(nfs0, rc));
  snprintf(p, sizeof p, "%s/%s", W, n256);
  rc = nfs_creat(nfs0, p, 0644, &fh);
  if (rc == 0) nfs_close(nfs0, fh);
  check("err.enametoolong", rc == -ENAMETOOLONG, "create with a 256-byte name: %s, expected ENAMETOOLONG",
        hl_err(nfs0, rc));
  struct rres r;
  r_lookup(rpc0, &wfh, n256, &r);
  check("err.enametoolong-lookup", r.rpc_ok && r.status == NFS3ERR_NAMETOOLONG,
        "LOOKUP of a 256-byte name: %s, expected NFS3ERR_NAMETOOLONG", rstat(&r));
  r_create(rpc0, &wfh, "bad/name", UNCHECKED, 0644, NULL, &r);
  check("err.slash-in-name", r.rpc_ok && r.status != NFS3_OK, "CREATE of \"bad/name\": %s, expected an error",
        rstat(&r));
}

/* uid2 against root's 0644 file `theirs` and its own file `mine`: only root changes the owner;
   the owner may "chown" to itself and chgrp to a group it is in; anyone else gets EPERM, even
   for the values the file already has. Explicit times need ownership (EPERM), "now" needs
   ownership or write permission (EACCES). */
static void suite_other_user_attrs(const char *theirs, const char *mine) {
  struct nfs_stat_64 before = {0}, after = {0};
  nfs_stat64(nfs0, theirs, &before);
  int rc = nfs_chown(nfs1, theirs, (int)before.nfs_uid, (int)before.nfs_gid);
  check("err.eperm-chown-unchanged", rc == -EPERM,
        "uid %d chown of root's file to its own owner %" PRIu64 ":%" PRIu64 ": %s, expected EPERM", opt_uid2,
        before.nfs_uid, before.nfs_gid, hl_err(nfs1, rc));
  rc = nfs_chown(nfs1, theirs, opt_uid2, opt_gid2);
  check("err.eperm-chown-take", rc == -EPERM, "uid %d taking root's file: %s, expected EPERM", opt_uid2,
        hl_err(nfs1, rc));
  int sr = nfs_stat64(nfs0, theirs, &after);
  check("err.eperm-chown-unchanged-owner",
        sr == 0 && after.nfs_uid == before.nfs_uid && after.nfs_gid == before.nfs_gid,
        "owner of root's file after refused chowns: %" PRIu64 ":%" PRIu64, after.nfs_uid, after.nfs_gid);
  struct timeval tv[2] = {{1000000000, 0}, {1000000000, 0}};
  rc = nfs_utimes(nfs1, theirs, tv);
  check("err.eperm-utimes", rc == -EPERM, "uid %d setting explicit times on root's file: %s, expected EPERM", opt_uid2,
        hl_err(nfs1, rc));
  rc = nfs_utimes(nfs1, theirs, NULL);
  check("err.eacces-utimes-now", rc == -EACCES, "uid %d setting times to now on root's 0644 file: %s, expected EACCES",
        opt_uid2, hl_err(nfs1, rc));

  rc = nfs_chown(nfs1, mine, opt_uid2, opt_gid2);
  check("chown.owner-unchanged", rc == 0, "uid %d chown of its own file to itself: %s", opt_uid2, hl_err(nfs1, rc));
  rc = nfs_chown(nfs1, mine, 0, opt_gid2);
  check("err.eperm-chown-give", rc == -EPERM, "uid %d giving its file to root: %s, expected EPERM", opt_uid2,
        hl_err(nfs1, rc));
  rc = nfs_chown(nfs1, mine, opt_uid2, opt_gid2 + 4321);
  check("err.eperm-chgrp-nonmember", rc == -EPERM,
        "uid %d chgrp of its file to a group it is not in: %s, expected EPERM", opt_uid2, hl_err(nfs1, rc));
  rc = nfs_utimes(nfs1, mine, tv);
  sr = nfs_stat64(nfs0, mine, &after);
  check("utimes.owner", rc == 0 && sr == 0 && after.nfs_mtime == 1000000000,
        "uid %d setting explicit times on its own file: %s, mtime %" PRIu64, opt_uid2, hl_err(nfs1, rc),
        after.nfs_mtime);
}

static void suite_other_user(void) {
  char err[512];
  int rc;
  PATHOF(f, "root-file");
  rc = write_small(nfs0, f, "root's data");
  if (rc == 0) rc = nfs_chmod(nfs0, f, 0644);
  if (rc != 0) {
    failf("err.eacces", "setup: %s", hl_err(nfs0, rc));
    return;
  }
  PATHOF(open_dir, "open-dir");
  rc = nfs_mkdir2(nfs0, open_dir, 0777);
  if (rc == 0) rc = nfs_chmod(nfs0, open_dir, 0777);
  nfs1 = hl_mount(opt_uid2, opt_gid2, err, sizeof err);
  if (!check("mount.uid2", nfs1 != NULL, "%s", err)) return;
  char buf[128];
  int got = read_small(nfs1, f, buf, sizeof buf);
  check("uid2.read", got > 0 && !strcmp(buf, "root's data"), "uid %d reading root's 0644 file: %s", opt_uid2,
        hl_err(nfs1, got));
  struct nfsfh *fh = NULL;
  rc = nfs_open(nfs1, f, O_WRONLY, &fh);
  if (rc == 0) {
    rc = nfs_pwrite(nfs1, fh, 0, 5, "xxxxx");
    nfs_close(nfs1, fh);
  }
  check("err.eacces", rc == -EACCES, "uid %d writing root's 0644 file: %s, expected EACCES", opt_uid2,
        hl_err(nfs1, rc));
  got = read_small(nfs0, f, buf, sizeof buf);
  check("err.eacces-unchanged", got > 0 && !strcmp(buf, "root's data"), "file content after the refused write: \"%s\"",
        got > 0 ? buf : "?");
  PATHOF(nf, "uid2-in-root-dir");
  rc = nfs_creat(nfs1, nf, 0644, &fh);
  if (rc == 0) nfs_close(nfs1, fh);
  check("err.eacces-create", rc == -EACCES, "uid %d creating in root's 0755 dir: %s, expected EACCES", opt_uid2,
        hl_err(nfs1, rc));
  rc = nfs_chmod(nfs1, f, 0666);
  check("err.eperm-chmod", rc == -EPERM || rc == -EACCES, "uid %d chmod of root's file: %s, expected EPERM", opt_uid2,
        hl_err(nfs1, rc));
  rc = nfs_unlink(nfs1, f);
  check("err.eacces-remove", rc == -EACCES || rc == -EPERM, "uid %d unlinking in root's 0755 dir: %s, expected EACCES",
        opt_uid2, hl_err(nfs1, rc));
  PATHOF(own, "open-dir/uid2-file");
  rc = write_small(nfs1, own, "mine");
  struct nfs_stat_64 st = {0};
  int sr = nfs_stat64(nfs0, own, &st);
  check("owner.uid2", rc == 0 && sr == 0 && st.nfs_uid == (uint64_t)opt_uid2 && st.nfs_gid == (uint64_t)opt_gid2,
        "uid %d creating in a 0777 dir: %s; owner %" PRIu64 ":%" PRIu64, opt_uid2, hl_err(nfs1, rc), st.nfs_uid,
        st.nfs_gid);

  /* POSIX chown/utimes rules for a caller that is not root: see suite_other_user_attrs */
  suite_other_user_attrs(f, own);

  /* the same checks at the protocol level: ACCESS and WRITE with AUTH_SYS uid2 */
  rpc1 = raw_connect(opt_nfsport, NFS_PROGRAM, NFS_V3, opt_uid2, opt_gid2, err, sizeof err);
  if (!check("uid2.connect", rpc1 != NULL, "%s", err)) return;
  struct fhbuf ffh;
  struct rres r;
  if (lookup_path_fh("root-file", &ffh) != 0) {
    failf("access.other", "LOOKUP root-file failed");
    return;
  }
  r_access(rpc1, &ffh, ACCESS3_READ | ACCESS3_MODIFY | ACCESS3_EXTEND, &r);
  check("access.other", r.rpc_ok && r.status == NFS3_OK && r.access == ACCESS3_READ,
        "ACCESS READ|MODIFY|EXTEND by uid %d on root's 0644 file: %s granted 0x%x, expected 0x1 (READ)", opt_uid2,
        rstat(&r), r.access);
  r_write(rpc1, &ffh, 0, "zz", 2, FILE_SYNC, &r);
  check("write.raw-eacces", r.rpc_ok && r.status == NFS3ERR_ACCES,
        "WRITE by uid %d to root's 0644 file: %s, expected NFS3ERR_ACCES", opt_uid2, rstat(&r));
  r_create(rpc1, &wfh, "uid2-raw", UNCHECKED, 0644, NULL, &r);
  check("create.raw-eacces", r.rpc_ok && r.status == NFS3ERR_ACCES,
        "CREATE by uid %d in root's 0755 dir: %s, expected NFS3ERR_ACCES", opt_uid2, rstat(&r));
}

static void suite_cleanup(void) {
  int rc = rm_rf(nfs0, W);
  struct nfs_stat_64 st = {0};
  int sr = nfs_stat64(nfs0, W, &st);
  check("cleanup", rc == 0 && sr == -ENOENT, "rm -r %s: %s; stat after: %s", W, hl_err(nfs0, rc), hl_err(nfs0, sr));
}

/* ---- read-only share: every modification must fail with EROFS ---- */
static void suite_ro(void) {
  char err[512];
  nfs0 = hl_mount(0, 0, err, sizeof err);
  if (!check("ro.mount", nfs0 != NULL, "%s", err)) return;
  struct nfsdir *d = NULL;
  int rc = nfs_opendir(nfs0, "/", &d);
  char existing[1024] = "";
  if (check("ro.readdir", rc == 0, "%s", hl_err(nfs0, rc))) {
    struct nfsdirent *e;
    while ((e = nfs_readdir(nfs0, d)) != NULL)
      if (e->type == NF3REG && !existing[0]) snprintf(existing, sizeof existing, "/%s", e->name);
    nfs_closedir(nfs0, d);
  }
  struct nfsfh *fh = NULL;
  char p[256];
  snprintf(p, sizeof p, "/ro-probe-%d", (int)getpid());
  rc = nfs_creat(nfs0, p, 0644, &fh);
  if (rc == 0) nfs_close(nfs0, fh);
  check("ro.create", rc == -EROFS, "create on a read-only share: %s, expected EROFS", hl_err(nfs0, rc));
  rc = nfs_mkdir2(nfs0, p, 0755);
  check("ro.mkdir", rc == -EROFS, "mkdir on a read-only share: %s, expected EROFS", hl_err(nfs0, rc));
  rc = nfs_symlink(nfs0, "x", p);
  check("ro.symlink", rc == -EROFS, "symlink on a read-only share: %s, expected EROFS", hl_err(nfs0, rc));
  rc = nfs_chmod(nfs0, "/", 0777);
  check("ro.setattr", rc == -EROFS, "chmod of the share root: %s, expected EROFS", hl_err(nfs0, rc));
  if (existing[0]) {
    info("ro: probing existing file %s", existing);
    rc = nfs_open(nfs0, existing, O_WRONLY, &fh);
    if (rc == 0) {
      rc = nfs_pwrite(nfs0, fh, 0, 1, "x");
      nfs_close(nfs0, fh);
    }
    /* libnfs's open(O_WRONLY) asks ACCESS first and turns a refusal into EACCES itself */
    check("ro.write", rc == -EROFS || rc == -EACCES, "write to an existing file: %s, expected EROFS (or EACCES from open)",
          hl_err(nfs0, rc));
    rc = nfs_unlink(nfs0, existing);
    check("ro.remove", rc == -EROFS, "unlink on a read-only share: %s, expected EROFS", hl_err(nfs0, rc));
    rc = nfs_truncate(nfs0, existing, 0);
    check("ro.truncate", rc == -EROFS, "truncate on a read-only share: %s, expected EROFS", hl_err(nfs0, rc));
    char buf[64];
    rc = read_small(nfs0, existing, buf, sizeof buf);
    check("ro.read", rc >= 0, "read on a read-only share: %s", hl_err(nfs0, rc));
  } else {
    info("ro: the share has no regular file; write/remove/truncate probes skipped");
  }
  mnt_rpc = raw_connect(opt_mountport, MOUNT_PROGRAM, MOUNT_V3, 0, 0, err, sizeof err);
  rpc0 = raw_connect(opt_nfsport, NFS_PROGRAM, NFS_V3, 0, 0, err, sizeof err);
  if (mnt_rpc && rpc0) {
    struct rres r;
    if (RAW(mnt_rpc, rpc_mount3_mnt_async, (char *)opt_export, h_mnt, &r) == 0 && r.status == MNT3_OK) {
      rootfh = r.fh;
      r_create(rpc0, &rootfh, p + 1, UNCHECKED, 0644, NULL, &r);
      check("ro.create-raw", r.rpc_ok && r.status == NFS3ERR_ROFS, "CREATE: %s, expected NFS3ERR_ROFS", rstat(&r));
      if (existing[0]) {
        struct fhbuf efh;
        r_lookup(rpc0, &rootfh, existing + 1, &r);
        if (r.rpc_ok && r.status == NFS3_OK && r.has_fh) {
          efh = r.fh;
          r_write(rpc0, &efh, 0, "x", 1, FILE_SYNC, &r);
          check("ro.write-raw", r.rpc_ok && r.status == NFS3ERR_ROFS, "WRITE: %s, expected NFS3ERR_ROFS", rstat(&r));
          sattr3 s = sattr_none();
          s.size.set_it = 1;
          r_setattr(rpc0, &efh, s, NULL, &r);
          check("ro.setattr-raw", r.rpc_ok && r.status == NFS3ERR_ROFS, "SETATTR size 0: %s, expected NFS3ERR_ROFS",
                rstat(&r));
        } else {
          failf("ro.lookup-raw", "LOOKUP %s: %s", existing + 1, rstat(&r));
        }
      }
      r_access(rpc0, &rootfh, ACCESS3_READ | ACCESS3_LOOKUP | ACCESS3_MODIFY | ACCESS3_EXTEND | ACCESS3_DELETE, &r);
      check("ro.access", r.rpc_ok && r.status == NFS3_OK && !(r.access & (ACCESS3_MODIFY | ACCESS3_EXTEND | ACCESS3_DELETE)),
            "ACCESS on a read-only share root granted 0x%x (%s): MODIFY/EXTEND/DELETE must not be granted", r.access,
            rstat(&r));
      RAW(mnt_rpc, rpc_mount3_umnt_async, (char *)opt_export, h_null, &r);
    } else {
      failf("ro.mnt-raw", "%s", rstat(&r));
    }
  } else {
    failf("ro.connect-raw", "%s", err);
  }
}

/* ---- squashed root: uid 0 acts as the anonymous ids ---- */
static void suite_squash(void) {
  char err[512];
  nfs0 = hl_mount(0, 0, err, sizeof err);
  if (!check("squash.mount", nfs0 != NULL, "%s", err)) return;
  char p[256], d[256];
  snprintf(p, sizeof p, "/squash-file-%d", (int)getpid());
  snprintf(d, sizeof d, "/squash-dir-%d", (int)getpid());
  int rc = write_small(nfs0, p, "squashed");
  struct nfs_stat_64 st = {0};
  int sr = rc == 0 ? nfs_stat64(nfs0, p, &st) : rc;
  check("squash.create-owner", rc == 0 && sr == 0 && st.nfs_uid == (uint64_t)opt_anon_uid && st.nfs_gid == (uint64_t)opt_anon_gid,
        "file created by uid 0: %s; owner %" PRIu64 ":%" PRIu64 ", expected %d:%d", hl_err(nfs0, rc), st.nfs_uid,
        st.nfs_gid, opt_anon_uid, opt_anon_gid);
  rc = nfs_mkdir2(nfs0, d, 0755);
  sr = rc == 0 ? nfs_stat64(nfs0, d, &st) : rc;
  check("squash.mkdir-owner", rc == 0 && sr == 0 && st.nfs_uid == (uint64_t)opt_anon_uid,
        "dir created by uid 0: %s; owner %" PRIu64 ":%" PRIu64, hl_err(nfs0, rc), st.nfs_uid, st.nfs_gid);
  rc = nfs_chown(nfs0, p, 0, 0);
  sr = nfs_stat64(nfs0, p, &st);
  check("squash.no-chown-to-root", rc != 0 || (sr == 0 && st.nfs_uid != 0),
        "squashed root gave a file to uid 0: chown %s, owner now %" PRIu64, hl_err(nfs0, rc), st.nfs_uid);
  rc = nfs_unlink(nfs0, p);
  int rc2 = nfs_rmdir(nfs0, d);
  check("squash.cleanup", rc == 0 && rc2 == 0, "unlink: %s, rmdir: %s", hl_err(nfs0, rc), hl_err(nfs0, rc2));
}

/* ---- test setup on a writable share: a file with known content, the root's mode ---- */
static const char *opt_prepare_file;
static int opt_root_mode = -1;
static void suite_prepare(void) {
  char err[512];
  nfs0 = hl_mount(0, 0, err, sizeof err);
  if (!check("prepare.mount", nfs0 != NULL, "%s", err)) return;
  if (opt_prepare_file) {
    char p[1024];
    snprintf(p, sizeof p, "/%s", opt_prepare_file);
    int rc = write_small(nfs0, p, "prepared content\n");
    check("prepare.file", rc == 0, "create %s: %s", p, hl_err(nfs0, rc));
  }
  if (opt_root_mode >= 0) {
    int rc = nfs_chmod(nfs0, "/", opt_root_mode);
    check("prepare.root-mode", rc == 0, "chmod 0%o /: %s", opt_root_mode, hl_err(nfs0, rc));
  }
}

/* ---- handles across a server restart: "handles-save" before, "handles-check" after ----
   save: creates /restart-probe/{file,dir}, writes data UNSTABLE (uncommitted) and FILE_SYNC,
   records handles, the write verifier and the data in --state-file; check: the old handles
   still work (no NFS3ERR_STALE), the committed data is intact, the directory still lists,
   and the write verifier changed (so clients know to resend uncommitted writes). */
static const char *opt_state_file;
struct saved_state {
  struct fhbuf root, dir, file;
  char verf[8];
  uint32_t len;
  char data[8192];
};

static void suite_handles_save(void) {
  char err[512];
  struct rres r;
  struct saved_state st;
  memset(&st, 0, sizeof st);
  mnt_rpc = raw_connect(opt_mountport, MOUNT_PROGRAM, MOUNT_V3, 0, 0, err, sizeof err);
  rpc0 = raw_connect(opt_nfsport, NFS_PROGRAM, NFS_V3, 0, 0, err, sizeof err);
  if (!check("save.connect", mnt_rpc && rpc0, "%s", err)) return;
  if (RAW(mnt_rpc, rpc_mount3_mnt_async, (char *)opt_export, h_mnt, &r) != 0 || r.status != MNT3_OK) {
    failf("save.mnt", "%s", rstat(&r));
    return;
  }
  st.root = r.fh;
  r_mkdir(rpc0, &st.root, "restart-probe", 0755, &r);
  if (!check("save.mkdir", r.rpc_ok && r.status == NFS3_OK && r.has_fh, "%s", rstat(&r))) return;
  st.dir = r.fh;
  r_create(rpc0, &st.dir, "file", UNCHECKED, 0644, NULL, &r);
  if (!check("save.create", r.rpc_ok && r.status == NFS3_OK && r.has_fh, "%s", rstat(&r))) return;
  st.file = r.fh;
  st.len = sizeof st.data;
  fill_pattern((uint8_t *)st.data, 31337, 0, st.len);
  r_write(rpc0, &st.file, 0, st.data, st.len, FILE_SYNC, &r);
  check("save.write-file-sync", r.rpc_ok && r.status == NFS3_OK && r.count == st.len, "%s", rstat(&r));
  r_write(rpc0, &st.file, st.len, st.data, 100, UNSTABLE, &r);
  check("save.write-unstable", r.rpc_ok && r.status == NFS3_OK, "%s", rstat(&r));
  memcpy(st.verf, r.verf, 8);
  FILE *f = fopen(opt_state_file, "wb");
  check("save.state-file", f && fwrite(&st, sizeof st, 1, f) == 1, "cannot write %s", opt_state_file);
  if (f) fclose(f);
}

static void suite_handles_check(void) {
  char err[512];
  struct rres r;
  struct saved_state st;
  FILE *f = fopen(opt_state_file, "rb");
  if (!check("check.state-file", f && fread(&st, sizeof st, 1, f) == 1, "cannot read %s", opt_state_file)) return;
  fclose(f);
  rpc0 = raw_connect(opt_nfsport, NFS_PROGRAM, NFS_V3, 0, 0, err, sizeof err);
  if (!check("check.connect", rpc0 != NULL, "%s", err)) return;
  /* no MNT: a client keeps its handles across a server restart */
  r_getattr(rpc0, &st.root, &r);
  check("restart.root-handle", r.rpc_ok && r.status == NFS3_OK && r.attr.type == NF3DIR,
        "GETATTR of the pre-restart root handle: %s", rstat(&r));
  r_getattr(rpc0, &st.dir, &r);
  check("restart.dir-handle", r.rpc_ok && r.status == NFS3_OK && r.attr.type == NF3DIR,
        "GETATTR of the pre-restart directory handle: %s", rstat(&r));
  r_getattr(rpc0, &st.file, &r);
  check("restart.file-handle", r.rpc_ok && r.status == NFS3_OK && r.attr.type == NF3REG && r.attr.size >= st.len,
        "GETATTR of the pre-restart file handle: %s size %" PRIu64, rstat(&r), (uint64_t)r.attr.size);
  static char back[8192];
  r_read(rpc0, &st.file, 0, st.len, back, sizeof back, &r);
  check("restart.file-sync-data", r.rpc_ok && r.status == NFS3_OK && r.count == st.len && !memcmp(back, st.data, st.len),
        "READ of FILE_SYNC data written before the restart: %s count %u", rstat(&r), r.count);
  r_lookup(rpc0, &st.dir, "file", &r);
  check("restart.lookup", r.rpc_ok && r.status == NFS3_OK && r.has_fh && r.fh.len == st.file.len &&
                              !memcmp(r.fh.data, st.file.data, st.file.len),
        "LOOKUP after restart: %s, handle %s", rstat(&r),
        r.has_fh ? (r.fh.len == st.file.len && !memcmp(r.fh.data, st.file.data, st.file.len) ? "same" : "different")
                 : "missing");
  r_write(rpc0, &st.file, 0, st.data, 10, UNSTABLE, &r);
  check("restart.new-verifier", r.rpc_ok && r.status == NFS3_OK && memcmp(r.verf, st.verf, 8) != 0,
        "WRITE verifier after the restart %s the one before (%s): clients cannot tell to resend uncommitted data",
        r.rpc_ok && memcmp(r.verf, st.verf, 8) == 0 ? "equals" : "vs", rstat(&r));
  r_remove(rpc0, &st.dir, "file", &r);
  int ok1 = r.rpc_ok && r.status == NFS3_OK;
  r_rmdir(rpc0, &st.root, "restart-probe", &r);
  check("restart.cleanup", ok1 && r.rpc_ok && r.status == NFS3_OK, "%s", rstat(&r));
}

/* ---- raw handles, for tests that forge them ----
   fh:      prints the handle of --path (LOOKUPs from the root of --export; "" is the root) as
            "# fh HEX" and its fileid as "# fileid N"
   getattr: mounts --export, then sends GETATTR with the handle --fh HEX and checks that the
            reply's status is --expect-status (an nfsstat3 name, default NFS3_OK) */
static const char *opt_path = "", *opt_fh_hex, *opt_expect_status = "NFS3_OK";

static int mount_export(struct rres *r) {
  char err[512];
  mnt_rpc = raw_connect(opt_mountport, MOUNT_PROGRAM, MOUNT_V3, 0, 0, err, sizeof err);
  rpc0 = raw_connect(opt_nfsport, NFS_PROGRAM, NFS_V3, 0, 0, err, sizeof err);
  if (!check("raw.connect", mnt_rpc && rpc0, "%s", err)) return -1;
  if (RAW(mnt_rpc, rpc_mount3_mnt_async, (char *)opt_export, h_mnt, r) != 0 || r->status != MNT3_OK) {
    failf("raw.mnt", "MNT %s: %s", opt_export, rstat(r));
    return -1;
  }
  return 0;
}

static void suite_fh(void) {
  struct rres r;
  if (mount_export(&r) != 0) return;
  struct fhbuf fh = r.fh;
  r_getattr(rpc0, &fh, &r);
  char path[1024];
  snprintf(path, sizeof path, "%s", opt_path);
  for (char *save = NULL, *name = strtok_r(path, "/", &save); name && r.rpc_ok && r.status == NFS3_OK;
       name = strtok_r(NULL, "/", &save)) {
    r_lookup(rpc0, &fh, name, &r);
    fh = r.fh;
  }
  if (!check("fh.lookup", r.rpc_ok && r.status == NFS3_OK && r.has_attr, "%s in %s: %s", opt_path, opt_export,
             rstat(&r)))
    return;
  char hex[2 * NFS3_FHSIZE + 1];
  for (u_int i = 0; i < fh.len; i++) sprintf(hex + 2 * i, "%02x", (unsigned char)fh.data[i]);
  hex[2 * fh.len] = 0;
  info("fh %s", hex);
  info("fileid %" PRIu64, (uint64_t)r.attr.fileid);
}

static void suite_getattr(void) {
  struct fhbuf fh = {0};
  size_t n = strlen(opt_fh_hex);
  int bad = n % 2 != 0 || n / 2 > NFS3_FHSIZE;
  for (size_t i = 0; !bad && i < n / 2; i++)
    bad = sscanf(opt_fh_hex + 2 * i, "%2hhx", (unsigned char *)&fh.data[i]) != 1;
  if (!check("getattr.fh-hex", !bad, "--fh %s is not hex of at most %d bytes", opt_fh_hex, NFS3_FHSIZE)) return;
  fh.len = (u_int)(n / 2);
  struct rres r;
  if (mount_export(&r) != 0) return;
  r_getattr(rpc0, &fh, &r);
  check("getattr.status", r.rpc_ok && !strcmp(nfsstat_name(r.status), opt_expect_status),
        "GETATTR of %s on a mount of %s: %s, expected %s", opt_fh_hex, opt_export, rstat(&r), opt_expect_status);
}

/* ---- handles held while the files change on the server's side (folder shares) ----
   hold: looks up each of --paths (comma-separated, relative to the export) name by name and
   saves the handles in --state-file; reread: for each saved handle prints
   "held PATH STATUS [SIZE FNV1A64]", reading the whole content through the old handle. */
static const char *opt_paths;
#define MAX_HELD 16
struct held {
  char path[256];
  struct fhbuf fh;
};

static uint64_t fnv1a64(uint64_t h, const uint8_t *b, size_t n) {
  for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001b3ull;
  return h;
}

static void suite_hold(void) {
  char err[512];
  struct rres r;
  struct held held[MAX_HELD];
  int n = 0;
  memset(held, 0, sizeof held);
  mnt_rpc = raw_connect(opt_mountport, MOUNT_PROGRAM, MOUNT_V3, 0, 0, err, sizeof err);
  rpc0 = raw_connect(opt_nfsport, NFS_PROGRAM, NFS_V3, 0, 0, err, sizeof err);
  if (!check("hold.connect", mnt_rpc && rpc0, "%s", err)) return;
  if (RAW(mnt_rpc, rpc_mount3_mnt_async, (char *)opt_export, h_mnt, &r) != 0 || r.status != MNT3_OK) {
    failf("hold.mnt", "%s", rstat(&r));
    return;
  }
  struct fhbuf root = r.fh;
  char list[4096];
  snprintf(list, sizeof list, "%s", opt_paths);
  for (char *save = NULL, *p = strtok_r(list, ",", &save); p && n < MAX_HELD; p = strtok_r(NULL, ",", &save)) {
    struct fhbuf fh = root;
    char comps[256];
    snprintf(comps, sizeof comps, "%s", p);
    int ok = 1;
    for (char *s2 = NULL, *c = strtok_r(comps, "/", &s2); c && ok; c = strtok_r(NULL, "/", &s2)) {
      ok = r_lookup(rpc0, &fh, c, &r) == 0 && r.status == NFS3_OK && r.has_fh;
      if (ok) fh = r.fh;
    }
    char name[300];
    snprintf(name, sizeof name, "hold.lookup %s", p);
    if (check(name, ok, "LOOKUP: %s", rstat(&r))) {
      snprintf(held[n].path, sizeof held[n].path, "%s", p);
      held[n++].fh = fh;
    }
  }
  FILE *f = fopen(opt_state_file, "wb");
  check("hold.state-file", f && fwrite(&n, sizeof n, 1, f) == 1 && fwrite(held, sizeof held[0], n, f) == (size_t)n,
        "cannot write %s", opt_state_file);
  if (f) fclose(f);
}

static void suite_reread(void) {
  char err[512];
  struct rres r;
  struct held held[MAX_HELD];
  int n = 0;
  FILE *f = fopen(opt_state_file, "rb");
  int got = f && fread(&n, sizeof n, 1, f) == 1 && n >= 0 && n <= MAX_HELD && fread(held, sizeof held[0], n, f) == (size_t)n;
  if (f) fclose(f);
  if (!check("reread.state-file", got, "cannot read %s", opt_state_file)) return;
  rpc0 = raw_connect(opt_nfsport, NFS_PROGRAM, NFS_V3, 0, 0, err, sizeof err);
  if (!check("reread.connect", rpc0 != NULL, "%s", err)) return;
  for (int i = 0; i < n; i++) {
    r_getattr(rpc0, &held[i].fh, &r);
    if (!r.rpc_ok || r.status != NFS3_OK) {
      printf("held %s %s\n", held[i].path, r.rpc_ok ? nfsstat_name(r.status) : r.err);
      continue;
    }
    uint64_t size = r.attr.size, off = 0, h = 0xcbf29ce484222325ull;
    int eof = 0;
    while (!eof && off < 64ull * CHUNK) {
      r_read(rpc0, &held[i].fh, off, CHUNK, (char *)iobuf, CHUNK, &r);
      if (!r.rpc_ok || r.status != NFS3_OK) break;
      h = fnv1a64(h, iobuf, r.count);
      off += r.count;
      eof = r.eof || r.count == 0;
    }
    if (!r.rpc_ok || r.status != NFS3_OK)
      printf("held %s %s\n", held[i].path, r.rpc_ok ? nfsstat_name(r.status) : r.err);
    else
      printf("held %s NFS3_OK %" PRIu64 " %016" PRIx64 "\n", held[i].path, size, h);
  }
}

/* ---- "rename": one RENAME of --path to --to, as --uid2/--gid2 (a change made over NFS that an
   SMB client holding a file open below --path must see, e2e/smb/open-paths-nfs.test.ts) ---- */
static const char *opt_rename_to;
static void suite_rename(void) {
  char err[512];
  nfs0 = hl_mount(opt_uid2, opt_gid2, err, sizeof err);
  if (!check("rename.mount", nfs0 != NULL, "%s", err)) return;
  int rc = nfs_rename(nfs0, opt_path, opt_rename_to);
  check("rename", rc == 0, "rename %s %s: %s", opt_path, opt_rename_to, hl_err(nfs0, rc));
}

/* ---- "unlink": one REMOVE of --path; "stat": whether --path exists (present / absent), both as
   --uid2/--gid2 (an SMB client holding the file open reads on: e2e/smb/open-unlinked-nfs.test.ts) ---- */
static void suite_unlink(void) {
  char err[512];
  nfs0 = hl_mount(opt_uid2, opt_gid2, err, sizeof err);
  if (!check("unlink.mount", nfs0 != NULL, "%s", err)) return;
  int rc = nfs_unlink(nfs0, opt_path);
  check("unlink", rc == 0, "unlink %s: %s", opt_path, hl_err(nfs0, rc));
}

static void suite_stat(void) {
  char err[512];
  struct nfs_stat_64 st;
  nfs0 = hl_mount(opt_uid2, opt_gid2, err, sizeof err);
  if (!check("stat.mount", nfs0 != NULL, "%s", err)) return;
  int rc = nfs_stat64(nfs0, opt_path, &st);
  if (rc == 0 || rc == -ENOENT) printf("%s %s\n", opt_path, rc == 0 ? "present" : "absent");
  else failf("stat", "stat %s: %s", opt_path, hl_err(nfs0, rc));
}

static void usage(const char *argv0) {
  fprintf(stderr,
          "usage: %s --nfsport P --mountport M [--export /export] [--server 127.0.0.1]\n"
          "          [--suite main|ro|squash|prepare|handles-save|handles-check|fh|getattr|hold|reread|rename|unlink|stat]\n"
          "          [--uid2 1000] [--gid2 1000] [--anon-uid 65534] [--anon-gid 65534]\n"
          "          [--dir-entries 2000] [--timeout-ms 60000] [--prepare-file NAME] [--root-mode OCTAL]\n"
          "          [--state-file PATH] [--path REL] [--fh HEX] [--expect-status NFS3ERR_...] [--paths a/b,c] [--to REL]\n",
          argv0);
}

int main(int argc, char **argv) {
  static struct option lo[] = {{"server", required_argument, 0, 's'},    {"export", required_argument, 0, 'e'},
                               {"nfsport", required_argument, 0, 'n'},   {"mountport", required_argument, 0, 'm'},
                               {"suite", required_argument, 0, 'S'},     {"uid2", required_argument, 0, 'u'},
                               {"gid2", required_argument, 0, 'g'},      {"anon-uid", required_argument, 0, 'U'},
                               {"anon-gid", required_argument, 0, 'G'},  {"dir-entries", required_argument, 0, 'D'},
                               {"timeout-ms", required_argument, 0, 'T'}, {"prepare-file", required_argument, 0, 'P'},
                               {"root-mode", required_argument, 0, 'M'},  {"state-file", required_argument, 0, 'F'},
                               {"path", required_argument, 0, 'p'},       {"fh", required_argument, 0, 'f'},
                               {"expect-status", required_argument, 0, 'x'}, {"paths", required_argument, 0, 'A'},
                               {"to", required_argument, 0, 'r'},
                               {0, 0, 0, 0}};
  int c;
  while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
    switch (c) {
    case 's': opt_server = optarg; break;
    case 'e': opt_export = optarg; break;
    case 'n': opt_nfsport = atoi(optarg); break;
    case 'm': opt_mountport = atoi(optarg); break;
    case 'S': opt_suite = optarg; break;
    case 'u': opt_uid2 = atoi(optarg); break;
    case 'g': opt_gid2 = atoi(optarg); break;
    case 'U': opt_anon_uid = atoi(optarg); break;
    case 'G': opt_anon_gid = atoi(optarg); break;
    case 'D': opt_dir_entries = atoi(optarg); break;
    case 'T': opt_timeout_ms = atoi(optarg); break;
    case 'P': opt_prepare_file = optarg; break;
    case 'F': opt_state_file = optarg; break;
    case 'M': opt_root_mode = (int)strtol(optarg, NULL, 8); break;
    case 'p': opt_path = optarg; break;
    case 'f': opt_fh_hex = optarg; break;
    case 'x': opt_expect_status = optarg; break;
    case 'A': opt_paths = optarg; break;
    case 'r': opt_rename_to = optarg; break;
    default: usage(argv[0]); return 2;
    }
  }
  if (opt_nfsport <= 0) {
    usage(argv[0]);
    return 2;
  }
  if (opt_mountport <= 0) opt_mountport = opt_nfsport;
  setvbuf(stdout, NULL, _IOLBF, 0);
  iobuf = malloc(CHUNK);
  info("server %s nfsport %d mountport %d export %s suite %s", opt_server, opt_nfsport, opt_mountport, opt_export,
       opt_suite);
  double t0 = now_s();
  char err[512];

  if (!strcmp(opt_suite, "main")) {
    suite_mount();
    nfs0 = hl_mount(0, 0, err, sizeof err);
    if (check("mount.libnfs", nfs0 != NULL, "%s", err)) {
      info("libnfs readmax %" PRIu64 " writemax %" PRIu64, nfs_get_readmax(nfs0), nfs_get_writemax(nfs0));
      rpc0 = raw_connect(opt_nfsport, NFS_PROGRAM, NFS_V3, 0, 0, err, sizeof err);
      if (check("nfs.connect", rpc0 != NULL, "%s", err) && rootfh.len > 0) {
        suite_fs_info();
        suite_workdir();
        if (wfh.len > 0) {
          suite_sizes();
          suite_sparse_truncate();
          suite_names();
          suite_setattr();
          suite_raw_procs();
          suite_errors();
          suite_other_user();
          suite_bigdir();
          suite_cleanup();
        }
      }
    }
    suite_umount();
  } else if (!strcmp(opt_suite, "ro")) {
    suite_ro();
  } else if (!strcmp(opt_suite, "squash")) {
    suite_squash();
  } else if (!strcmp(opt_suite, "prepare")) {
    suite_prepare();
  } else if (!strcmp(opt_suite, "handles-save") && opt_state_file) {
    suite_handles_save();
  } else if (!strcmp(opt_suite, "handles-check") && opt_state_file) {
    suite_handles_check();
  } else if (!strcmp(opt_suite, "fh")) {
    suite_fh();
  } else if (!strcmp(opt_suite, "getattr") && opt_fh_hex) {
    suite_getattr();
  } else if (!strcmp(opt_suite, "hold") && opt_state_file && opt_paths) {
    suite_hold();
  } else if (!strcmp(opt_suite, "reread") && opt_state_file) {
    suite_reread();
  } else if (!strcmp(opt_suite, "rename") && opt_path && opt_rename_to) {
    suite_rename();
  } else if (!strcmp(opt_suite, "unlink") && opt_path) {
    suite_unlink();
  } else if (!strcmp(opt_suite, "stat") && opt_path) {
    suite_stat();
  } else {
    usage(argv[0]);
    return 2;
  }
  if (nfs1) {
    nfs_umount(nfs1);
    nfs_destroy_context(nfs1);
  }
  if (nfs0) {
    nfs_umount(nfs0);
    nfs_destroy_context(nfs0);
  }
  if (rpc0) rpc_destroy_context(rpc0);
  if (rpc1) rpc_destroy_context(rpc1);
  if (mnt_rpc) rpc_destroy_context(mnt_rpc);
  free(iobuf);
  printf("# summary: %d ok, %d failed, %.1f s\n", n_ok, n_fail, now_s() - t0);
  return n_fail ? 1 : 0;
}
