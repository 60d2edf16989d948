/*
 * plock: fcntl and flock locks from the command line, for the kernel-client lock tests
 * (e2e/nfs/kernel-lock-job.sh; the guest's busybox has no tool for either).
 * Built static on the host and carried into the guest inside the job script.
 *
 *   plock FILE try|wait r|w START LEN   take the lock (F_SETLK / F_SETLKW), print "locked",
 *                                       hold it until stdin ends, unlock, print "unlocked";
 *                                       "denied" and exit 1 when F_SETLK is refused
 *   plock FILE test r|w START LEN       F_GETLK: print "free" or "held r|w START LEN"
 *   plock FILE flock r|w 0 0            flock(LOCK_SH / LOCK_EX, LOCK_NB), held like "try"
 * LEN 0 means to the end of the file. Other failures: a message and exit 2.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

static int fail(const char *what) {
  printf("error %s: %s\n", what, strerror(errno));
  return 2;
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: plock FILE try|wait|test|flock r|w START LEN\n");
    return 2;
  }
  setvbuf(stdout, NULL, _IONBF, 0);
  int fd = open(argv[1], O_RDWR | O_CREAT, 0666);
  if (fd < 0) return fail("open");
  struct flock fl;
  memset(&fl, 0, sizeof fl);
  fl.l_type = argv[3][0] == 'w' ? F_WRLCK : F_RDLCK;
  fl.l_whence = SEEK_SET;
  fl.l_start = atoll(argv[4]);
  fl.l_len = atoll(argv[5]);
  if (strcmp(argv[2], "test") == 0) {
    if (fcntl(fd, F_GETLK, &fl) < 0) return fail("F_GETLK");
    if (fl.l_type == F_UNLCK) printf("free\n");
    else printf("held %c %lld %lld\n", fl.l_type == F_WRLCK ? 'w' : 'r', (long long)fl.l_start, (long long)fl.l_len);
    return 0;
  }
  int whole = strcmp(argv[2], "flock") == 0;
  int cmd = strcmp(argv[2], "wait") == 0 ? F_SETLKW : F_SETLK;
  int rc = whole ? flock(fd, (fl.l_type == F_WRLCK ? LOCK_EX : LOCK_SH) | LOCK_NB) : fcntl(fd, cmd, &fl);
  if (rc < 0) {
    if (errno == EACCES || errno == EAGAIN) {
      printf("denied\n");
      return 1;
    }
    return fail(whole ? "flock" : "F_SETLK");
  }
  printf("locked\n");
  char buf[64];
  while (read(0, buf, sizeof buf) > 0) {
  }
  fl.l_type = F_UNLCK;
  if ((whole ? flock(fd, LOCK_UN) : fcntl(fd, F_SETLK, &fl)) < 0) return fail("unlock");
  printf("unlocked\n");
  return 0;
}
