/*
 * DittoFS e2e: writes one file over NFSv3 with libnfs's sync API (UNSTABLE WRITEs) and then
 * COMMITs it (nfs_fsync), for the remote-durability test (remote-durability.test.ts).
 * Byte `off` of pattern `seed` is (uint8_t)((seed * 2654435761u + off * 40503u) >> 24).
 *
 * Prints "committed MS" (exit 0) when COMMIT replied NFS3_OK after MS milliseconds, or
 * "error WHAT RC MESSAGE" (exit 1).
 *
 * Build: gcc -O2 -Wall -o commit-writer e2e/nfs/commit-writer.c -lnfs
 * Usage: commit-writer --nfsport P --mountport M --export /cloud --name F --bytes N --seed S
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <nfsc/libnfs.h>

#define CHUNK (1u << 20)

static void fail(struct nfs_context *nfs, const char *what, int rc) {
  printf("error %s %d %s\n", what, rc, nfs ? nfs_get_error(nfs) : "");
  exit(1);
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv) {
  int nfsport = 0, mountport = 0;
  const char *export = "/export", *name = "f";
  uint64_t bytes = 0;
  uint32_t seed = 1;
  static const struct option opts[] = {{"nfsport", 1, 0, 'n'}, {"mountport", 1, 0, 'm'}, {"export", 1, 0, 'e'},
                                       {"name", 1, 0, 'f'},    {"bytes", 1, 0, 'b'},     {"seed", 1, 0, 's'},
                                       {0, 0, 0, 0}};
  for (int c; (c = getopt_long(argc, argv, "", opts, NULL)) != -1;) {
    switch (c) {
    case 'n': nfsport = atoi(optarg); break;
    case 'm': mountport = atoi(optarg); break;
    case 'e': export = optarg; break;
    case 'f': name = optarg; break;
    case 'b': bytes = strtoull(optarg, NULL, 10); break;
    case 's': seed = (uint32_t)strtoul(optarg, NULL, 10); break;
    default: return 2;
    }
  }
  struct nfs_context *nfs = nfs_init_context();
  if (!nfs) fail(NULL, "init", 0);
  char url[512];
  snprintf(url, sizeof url, "nfs://127.0.0.1%s?nfsport=%d&mountport=%d&version=3", export, nfsport, mountport);
  struct nfs_url *u = nfs_parse_url_dir(nfs, url);
  if (!u) fail(nfs, "url", 0);
  int rc = nfs_mount(nfs, u->server, u->path);
  if (rc) fail(nfs, "mount", rc);
  struct nfsfh *fh;
  rc = nfs_open2(nfs, name, O_CREAT | O_WRONLY | O_TRUNC, 0644, &fh);
  if (rc) fail(nfs, "open", rc);
  static uint8_t buf[CHUNK];
  for (uint64_t off = 0; off < bytes; off += CHUNK) {
    uint32_t n = bytes - off < CHUNK ? (uint32_t)(bytes - off) : CHUNK;
    for (uint32_t i = 0; i < n; i++) buf[i] = (uint8_t)((seed * 2654435761u + (uint32_t)(off + i) * 40503u) >> 24);
    rc = nfs_pwrite(nfs, fh, off, n, buf);
    if (rc != (int)n) fail(nfs, "write", rc);
  }
  double started = now_ms();
  rc = nfs_fsync(nfs, fh);
  if (rc) fail(nfs, "commit", rc);
  printf("committed %.0f\n", now_ms() - started);
  nfs_close(nfs, fh);
  nfs_destroy_url(u);
  nfs_destroy_context(nfs);
  return 0;
}
