/*
 * An NFSv4.0 client (libnfs) that keeps a file open while another client removes it
 * (e2e/nfs/v4-open-unlinked.test.ts): OPENs PATH of the export, READs it all into BEFORE, says
 * "opened" and waits for a line on stdin; then READs it again through the same open into AFTER,
 * reports the link count and CLOSEs. Outcomes are JSON lines {"case": ..., "outcome": ...}.
 *
 * Usage: v4holder NFSPORT /EXPORT PATH BEFORE AFTER
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <nfsc/libnfs.h>

static void report(const char *name, const char *outcome) {
  printf("{\"case\": \"%s\", \"outcome\": \"", name);
  /* Error texts may hold quotes: as ' in the JSON string. */
  for (const char *c = outcome; *c; c++) putchar(*c == '"' || *c == '\\' || (unsigned char)*c < 0x20 ? '\'' : *c);
  printf("\"}\n");
  fflush(stdout);
}

/* Reads the whole file through the open into OUT; the outcome: "N bytes" or the error. */
static void read_all(struct nfs_context *nfs, struct nfsfh *fh, const char *out, char *outcome, size_t len) {
  FILE *f = fopen(out, "wb");
  static char buf[65536];
  uint64_t off = 0;
  for (;;) {
    int n = nfs_pread(nfs, fh, off, sizeof buf, buf);
    if (n < 0) {
      snprintf(outcome, len, "error: %s", nfs_get_error(nfs));
      fclose(f);
      return;
    }
    if (n == 0) break;
    fwrite(buf, 1, n, f);
    off += n;
  }
  fclose(f);
  snprintf(outcome, len, "%llu bytes", (unsigned long long)off);
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: %s NFSPORT /EXPORT PATH BEFORE AFTER\n", argv[0]);
    return 2;
  }
  char outcome[512];
  struct nfs_context *nfs = nfs_init_context();
  char url[1024];
  /* libnfs 4.0.0 sets the version and the port from a URL only. */
  snprintf(url, sizeof url, "nfs://127.0.0.1%s?nfsport=%s&version=4", argv[2], argv[1]);
  struct nfs_url *u = nfs_parse_url_dir(nfs, url);
  nfs_set_timeout(nfs, 30000);
  if (!u || nfs_mount(nfs, u->server, u->path) != 0) {
    snprintf(outcome, sizeof outcome, "error: %s", nfs_get_error(nfs));
    report("mount", outcome);
    return 1;
  }
  struct nfsfh *fh;
  if (nfs_open(nfs, argv[3], O_RDONLY, &fh) != 0) {
    snprintf(outcome, sizeof outcome, "error: %s", nfs_get_error(nfs));
    report("open", outcome);
    return 1;
  }
  read_all(nfs, fh, argv[4], outcome, sizeof outcome);
  report("read before", outcome);
  report("opened", "yes");
  char line[16];
  if (!fgets(line, sizeof line, stdin)) return 1;
  read_all(nfs, fh, argv[5], outcome, sizeof outcome);
  report("read after", outcome);
  struct nfs_stat_64 st;
  if (nfs_fstat64(nfs, fh, &st) == 0) snprintf(outcome, sizeof outcome, "links=%llu", (unsigned long long)st.nfs_nlink);
  else snprintf(outcome, sizeof outcome, "error: %s", nfs_get_error(nfs));
  report("getattr after", outcome);
  report("close", nfs_close(nfs, fh) == 0 ? "ok" : nfs_get_error(nfs));
  nfs_destroy_url(u);
  nfs_destroy_context(nfs);
  return 0;
}
