/*
 * DittoFS e2e: the writer of the crash test (crash.test.ts), on libnfs's sync API.
 *
 * Writer mode creates files of known patterns (4 KiB to 8 MiB) under a temporary name,
 * COMMITs them (nfs_fsync), renames them into place and only then prints
 *   ack NAME SIZE SEED
 * and overwrites ranges of files it made, printing "begin-over NAME OFF LEN SEED" before
 * and "ack-over NAME OFF LEN SEED" once COMMIT replied. It runs until killed or until the
 * server goes away (exit 1). Byte `off` of pattern `seed` is
 *   (uint8_t)((seed * 2654435761u + off * 40503u) >> 24)   (32-bit arithmetic)
 *
 * Read mode copies files out for checking: --read NAME... --out DIR.
 *
 * Build: gcc -O2 -Wall -o crash-writer e2e/nfs/crash-writer.c -lnfs
 * Usage: crash-writer --nfsport P --mountport M --export /export --prefix c1 --seed S
 *        crash-writer --nfsport P --mountport M --export /export --out DIR --read NAME...
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nfsc/libnfs.h>

#define CHUNK (1u << 20)
#define MAX_FILES 4096

static int opt_nfsport, opt_mountport;
static const char *opt_export = "/export", *opt_prefix = "c", *opt_out;
static uint32_t rng_state = 1;

static uint32_t rnd(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 17;
  rng_state ^= rng_state << 5;
  return rng_state;
}

static uint8_t pattern_byte(uint32_t seed, uint32_t off) { return (uint8_t)((seed * 2654435761u + off * 40503u) >> 24); }

static void die(struct nfs_context *nfs, const char *what, int rc) {
  printf("# error %s: %d %s\n", what, rc, nfs ? nfs_get_error(nfs) : "");
  fflush(stdout);
  exit(1);
}

static struct nfs_context *mount_export(void) {
  struct nfs_context *nfs = nfs_init_context();
  if (!nfs) die(NULL, "nfs_init_context", 0);
  char url[512];
  snprintf(url, sizeof url, "nfs://127.0.0.1%s?nfsport=%d&mountport=%d&version=3", opt_export, opt_nfsport,
           opt_mountport);
  struct nfs_url *u = nfs_parse_url_dir(nfs, url);
  if (!u) die(nfs, "nfs_parse_url_dir", 0);
  nfs_set_autoreconnect(nfs, 0); /* a killed server ends the run instead of a retry loop */
  nfs_set_timeout(nfs, 10000);
  int rc = nfs_mount(nfs, u->server, u->path);
  if (rc != 0) die(nfs, "nfs_mount", rc);
  nfs_destroy_url(u);
  return nfs;
}

/* writes pattern(seed) over [off, off + len) of an open file, then COMMITs */
static void write_range(struct nfs_context *nfs, struct nfsfh *fh, uint64_t off, uint64_t len, uint32_t seed) {
  static uint8_t buf[CHUNK];
  for (uint64_t done = 0; done < len;) {
    uint64_t n = len - done < CHUNK ? len - done : CHUNK;
    for (uint64_t i = 0; i < n; i++) buf[i] = pattern_byte(seed, (uint32_t)(off + done + i));
    int rc = nfs_pwrite(nfs, fh, off + done, n, buf);
    if (rc <= 0) die(nfs, "nfs_pwrite", rc);
    done += (uint64_t)rc;
  }
  int rc = nfs_fsync(nfs, fh);
  if (rc != 0) die(nfs, "nfs_fsync (COMMIT)", rc);
}

/* 4 KiB << k for k in 0..11 (up to 8 MiB), mostly not a round size */
static uint64_t random_size(void) {
  unsigned k = rnd() % 12;
  uint64_t size = (uint64_t)4096 << k;
  return k < 11 ? size + rnd() % 4096 : size;
}

static void writer(struct nfs_context *nfs) {
  static char names[MAX_FILES][64];
  static uint64_t sizes[MAX_FILES];
  int files = 0;
  for (int n = 0;; n++) {
    if (files > 0 && rnd() % 10 < 3) {
      int f = (int)(rnd() % (unsigned)files);
      uint64_t off = rnd() % sizes[f];
      uint64_t len = random_size();
      if (len > sizes[f] - off) len = sizes[f] - off;
      uint32_t seed = rnd();
      printf("begin-over %s %" PRIu64 " %" PRIu64 " %u\n", names[f], off, len, seed);
      fflush(stdout);
      struct nfsfh *fh = NULL;
      char path[128];
      snprintf(path, sizeof path, "/%s", names[f]);
      int rc = nfs_open(nfs, path, O_WRONLY, &fh);
      if (rc != 0) die(nfs, "nfs_open", rc);
      write_range(nfs, fh, off, len, seed);
      nfs_close(nfs, fh);
      printf("ack-over %s %" PRIu64 " %" PRIu64 " %u\n", names[f], off, len, seed);
      fflush(stdout);
      continue;
    }
    if (files == MAX_FILES) return;
    char tmp[128], final[128];
    snprintf(names[files], sizeof names[files], "%s-%d", opt_prefix, n);
    snprintf(tmp, sizeof tmp, "/%s.tmp", names[files]);
    snprintf(final, sizeof final, "/%s", names[files]);
    uint64_t size = random_size();
    uint32_t seed = rnd();
    struct nfsfh *fh = NULL;
    int rc = nfs_creat(nfs, tmp, 0644, &fh);
    if (rc != 0) die(nfs, "nfs_creat", rc);
    write_range(nfs, fh, 0, size, seed);
    nfs_close(nfs, fh);
    rc = nfs_rename(nfs, tmp, final);
    if (rc != 0) die(nfs, "nfs_rename", rc);
    sizes[files++] = size;
    printf("ack %s %" PRIu64 " %u\n", names[files - 1], size, seed);
    fflush(stdout);
  }
}

static void reader(struct nfs_context *nfs, char **names, int count) {
  static uint8_t buf[CHUNK];
  for (int i = 0; i < count; i++) {
    char path[256], out[4096];
    snprintf(path, sizeof path, "/%s", names[i]);
    snprintf(out, sizeof out, "%s/%s", opt_out, names[i]);
    struct nfsfh *fh = NULL;
    int rc = nfs_open(nfs, path, O_RDONLY, &fh);
    if (rc != 0) {
      printf("missing %s %d\n", names[i], rc);
      continue;
    }
    FILE *f = fopen(out, "wb");
    if (!f) die(NULL, "fopen", 0);
    uint64_t total = 0;
    for (;;) {
      rc = nfs_pread(nfs, fh, total, CHUNK, buf);
      if (rc < 0) die(nfs, "nfs_pread", rc);
      if (rc == 0) break;
      fwrite(buf, 1, (size_t)rc, f);
      total += (uint64_t)rc;
    }
    fclose(f);
    nfs_close(nfs, fh);
    printf("read %s %" PRIu64 "\n", names[i], total);
  }
}

int main(int argc, char **argv) {
  static const struct option opts[] = {
      {"nfsport", required_argument, 0, 'n'}, {"mountport", required_argument, 0, 'm'},
      {"export", required_argument, 0, 'e'},  {"prefix", required_argument, 0, 'p'},
      {"seed", required_argument, 0, 's'},    {"out", required_argument, 0, 'o'},
      {"read", no_argument, 0, 'r'},          {0, 0, 0, 0},
  };
  int c, read_mode = 0;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (c) {
    case 'n': opt_nfsport = atoi(optarg); break;
    case 'm': opt_mountport = atoi(optarg); break;
    case 'e': opt_export = optarg; break;
    case 'p': opt_prefix = optarg; break;
    case 's': rng_state = (uint32_t)strtoul(optarg, NULL, 10) | 1u; break;
    case 'o': opt_out = optarg; break;
    case 'r': read_mode = 1; break;
    default: return 2;
    }
  }
  if (!opt_nfsport || !opt_mountport || (read_mode && !opt_out)) {
    fprintf(stderr, "usage: see the header of crash-writer.c\n");
    return 2;
  }
  struct nfs_context *nfs = mount_export();
  if (read_mode) reader(nfs, argv + optind, argc - optind);
  else writer(nfs);
  nfs_destroy_context(nfs);
  return 0;
}
