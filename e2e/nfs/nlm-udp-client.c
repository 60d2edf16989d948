/*
 * DittoFS e2e: NLM v4 and NSM v1 over UDP from libnfs (nlm-udp.test.ts).
 *
 * Creates a file over NFSv3 (libnfs's sync API, TCP), then speaks NLM to the server over
 * UDP as two client hosts ("udp-a", "udp-b"), each with its own UDP socket, on libnfs's raw
 * async API: NULL, LOCK, TEST (the conflict reported with its holder), a conflicting LOCK
 * DENIED, UNLOCK, and the other host's LOCK once the range is free. Prints "ok NAME" or
 * "FAIL NAME: why" per check and "# summary: N ok, M failed"; exits 1 on any failure.
 *
 * libnfs 4.0.0 exports its UDP transport (rpc_init_udp_context, rpc_bind_udp,
 * rpc_set_udp_destination: made for its portmapper broadcasts) without declaring it in the
 * public headers, and the file handle of an open file (nfs_get_fh) as an opaque struct:
 * both are declared below as libnfs-private.h has them.
 *
 * Build: gcc -O2 -Wall -o nlm-udp-client e2e/nfs/nlm-udp-client.c -lnfs
 * Usage: nlm-udp-client --nfsport P --mountport M --export /export --nlmport U [--file NAME]
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw.h>
#include <nfsc/libnfs-raw-nlm.h>
#include <nfsc/libnfs-raw-nsm.h>

/* From libnfs-private.h (libnfs 4.0.0); the symbols are exported. */
struct rpc_context *rpc_init_udp_context(void);
int rpc_bind_udp(struct rpc_context *rpc, char *addr, int port);
int rpc_set_udp_destination(struct rpc_context *rpc, char *addr, int port, int is_broadcast);
struct nfs_fh {
  int len;
  char *val;
};

static int opt_nfsport, opt_mountport, opt_nlmport;
static const char *opt_export = "/export", *opt_file = "nlm-udp.dat";
static int n_ok, n_fail;

static void check(const char *name, int cond, const char *why) {
  if (cond) {
    printf("ok %s\n", name);
    n_ok++;
  } else {
    printf("FAIL %s: %s\n", name, why);
    n_fail++;
  }
  fflush(stdout);
}

/* One call's outcome, filled by the callback. */
struct reply {
  int done;
  int status;
  int nlm_stat;
  uint32_t holder_svid;
  uint64_t holder_offset, holder_len;
};

static void on_void(struct rpc_context *rpc, int status, void *data, void *priv) {
  struct reply *r = priv;
  r->done = 1;
  r->status = status;
}

static void on_res(struct rpc_context *rpc, int status, void *data, void *priv) {
  struct reply *r = priv;
  r->done = 1;
  r->status = status;
  if (status == RPC_STATUS_SUCCESS) r->nlm_stat = ((NLM4_LOCKres *)data)->status;
}

static void on_test(struct rpc_context *rpc, int status, void *data, void *priv) {
  struct reply *r = priv;
  r->done = 1;
  r->status = status;
  if (status != RPC_STATUS_SUCCESS) return;
  NLM4_TESTres *res = data;
  r->nlm_stat = res->reply.status;
  if (res->reply.status == NLM4_DENIED) {
    r->holder_svid = res->reply.nlm4_testreply_u.lock.holder.svid;
    r->holder_offset = res->reply.nlm4_testreply_u.lock.holder.l_offset;
    r->holder_len = res->reply.nlm4_testreply_u.lock.holder.l_len;
  }
}

/* Services the context until the reply came; 0 when it did within 5 s. */
static int wait_reply(struct rpc_context *rpc, struct reply *r) {
  for (int waited = 0; !r->done && waited < 5000; waited += 50) {
    struct pollfd pfd = {.fd = rpc_get_fd(rpc), .events = rpc_which_events(rpc)};
    if (poll(&pfd, 1, 50) < 0) return -1;
    if (rpc_service(rpc, pfd.revents) < 0) return -1;
  }
  return r->done ? 0 : -1;
}

/* A client host speaking NLM over its own UDP socket. */
struct host {
  const char *name;
  uint32_t svid;
  struct rpc_context *rpc;
};

static struct rpc_context *udp_context(void) {
  struct rpc_context *rpc = rpc_init_udp_context();
  if (!rpc || rpc_bind_udp(rpc, "127.0.0.1", 0) || rpc_set_udp_destination(rpc, "127.0.0.1", opt_nlmport, 0)) {
    printf("# error: UDP context: %s\n", rpc ? rpc_get_error(rpc) : "no memory");
    exit(1);
  }
  rpc_set_auth(rpc, libnfs_authunix_create("nlm-udp", 0, 0, 0, NULL));
  return rpc;
}

static struct nfs_fh *fh;
static char cookie_bytes[] = "ck";

static nlm4_lock alock(struct host *h, uint64_t off, uint64_t len) {
  nlm4_lock l;
  memset(&l, 0, sizeof l);
  l.caller_name = (char *)h->name;
  l.fh.data.data_len = fh->len;
  l.fh.data.data_val = fh->val;
  l.oh = (char *)h->name;
  l.svid = h->svid;
  l.l_offset = off;
  l.l_len = len;
  return l;
}

static nlm_cookie cookie(void) {
  nlm_cookie c = {.data = {.data_len = 2, .data_val = cookie_bytes}};
  return c;
}

static struct reply lock(struct host *h, uint64_t off, uint64_t len) {
  struct reply r = {0};
  NLM4_LOCKargs a = {.cookie = cookie(), .block = 0, .exclusive = 1, .lock = alock(h, off, len), .reclaim = 0, .state = 1};
  if (rpc_nlm4_lock_async(h->rpc, on_res, &a, &r) || wait_reply(h->rpc, &r)) r.status = -1;
  return r;
}

static struct reply test(struct host *h, uint64_t off, uint64_t len) {
  struct reply r = {0};
  NLM4_TESTargs a = {.cookie = cookie(), .exclusive = 1, .lock = alock(h, off, len)};
  if (rpc_nlm4_test_async(h->rpc, on_test, &a, &r) || wait_reply(h->rpc, &r)) r.status = -1;
  return r;
}

static struct reply unlock(struct host *h, uint64_t off, uint64_t len) {
  struct reply r = {0};
  NLM4_UNLOCKargs a = {.cookie = cookie(), .lock = alock(h, off, len)};
  if (rpc_nlm4_unlock_async(h->rpc, on_res, &a, &r) || wait_reply(h->rpc, &r)) r.status = -1;
  return r;
}

#define ANSWERED(r) ((r).status == RPC_STATUS_SUCCESS)

int main(int argc, char **argv) {
  static struct option opts[] = {{"nfsport", 1, 0, 'n'}, {"mountport", 1, 0, 'm'}, {"export", 1, 0, 'e'},
                                 {"nlmport", 1, 0, 'l'}, {"file", 1, 0, 'f'},      {0, 0, 0, 0}};
  for (int c; (c = getopt_long(argc, argv, "", opts, NULL)) != -1;) {
    if (c == 'n') opt_nfsport = atoi(optarg);
    else if (c == 'm') opt_mountport = atoi(optarg);
    else if (c == 'e') opt_export = optarg;
    else if (c == 'l') opt_nlmport = atoi(optarg);
    else if (c == 'f') opt_file = optarg;
    else return 2;
  }
  if (!opt_nfsport || !opt_nlmport) {
    fprintf(stderr, "usage: %s --nfsport P --mountport M --export /export --nlmport U\n", argv[0]);
    return 2;
  }

  /* The file to lock, created over NFSv3 (TCP). */
  struct nfs_context *nfs = nfs_init_context();
  char url[512];
  snprintf(url, sizeof url, "nfs://127.0.0.1%s?nfsport=%d&mountport=%d&version=3", opt_export, opt_nfsport,
           opt_mountport ? opt_mountport : opt_nfsport);
  struct nfs_url *u = nfs_parse_url_dir(nfs, url);
  struct nfsfh *file = NULL;
  char path[256];
  snprintf(path, sizeof path, "/%s", opt_file);
  if (!u || nfs_mount(nfs, u->server, u->path) || nfs_open2(nfs, path, O_CREAT | O_RDWR, 0644, &file)) {
    printf("# error: NFS mount/create: %s\n", nfs_get_error(nfs));
    return 1;
  }
  fh = nfs_get_fh(file);

  struct host a = {"udp-a", 101, udp_context()}, b = {"udp-b", 202, udp_context()};
  struct reply r = {0};
  if (rpc_nlm4_null_async(a.rpc, on_void, &r) || wait_reply(a.rpc, &r)) r.status = -1;
  check("nlm-null", ANSWERED(r), "no reply to NLM NULL over UDP");

  struct rpc_context *nsm = rpc_init_udp_context();
  rpc_bind_udp(nsm, "127.0.0.1", 0);
  rpc_set_udp_destination(nsm, "127.0.0.1", opt_nlmport, 0);
  struct reply n = {0};
  if (rpc_nsm1_null_async(nsm, on_void, &n) || wait_reply(nsm, &n)) n.status = -1;
  check("nsm-null", ANSWERED(n), "no reply to NSM NULL over UDP");

  r = lock(&a, 0, 100);
  check("a-lock", ANSWERED(r) && r.nlm_stat == NLM4_GRANTED, "host a's LOCK [0,100) not GRANTED");
  r = test(&b, 50, 10);
  check("b-test-sees-a", ANSWERED(r) && r.nlm_stat == NLM4_DENIED, "host b's TEST [50,60) not DENIED");
  check("b-test-holder", r.holder_svid == a.svid && r.holder_offset == 0 && r.holder_len == 100,
        "TEST's holder is not host a's lock (svid 101, 0, 100)");
  r = lock(&b, 90, 20);
  check("b-lock-denied", ANSWERED(r) && r.nlm_stat == NLM4_DENIED, "host b's overlapping LOCK not DENIED");
  r = lock(&b, 100, 20);
  check("b-lock-beside", ANSWERED(r) && r.nlm_stat == NLM4_GRANTED, "host b's LOCK [100,120) beside it not GRANTED");
  r = test(&a, 0, 100);
  check("a-test-own", ANSWERED(r) && r.nlm_stat == NLM4_GRANTED, "host a's TEST of its own range not GRANTED");
  r = unlock(&a, 0, 100);
  check("a-unlock", ANSWERED(r) && r.nlm_stat == NLM4_GRANTED, "host a's UNLOCK not GRANTED");
  r = lock(&b, 0, 100);
  check("b-lock-after-unlock", ANSWERED(r) && r.nlm_stat == NLM4_GRANTED, "host b's LOCK after a's UNLOCK not GRANTED");
  r = unlock(&b, 0, 0);
  check("b-unlock-all", ANSWERED(r) && r.nlm_stat == NLM4_GRANTED, "host b's UNLOCK to end of file not GRANTED");
  r = test(&a, 0, 0);
  check("a-test-free", ANSWERED(r) && r.nlm_stat == NLM4_GRANTED, "the file is not free after both unlocked");

  rpc_destroy_context(a.rpc);
  rpc_destroy_context(b.rpc);
  rpc_destroy_context(nsm);
  nfs_close(nfs, file);
  nfs_unlink(nfs, path);
  nfs_destroy_url(u);
  nfs_destroy_context(nfs);
  printf("# summary: %d ok, %d failed\n", n_ok, n_fail);
  return n_fail ? 1 : 0;
}
