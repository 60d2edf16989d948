/*
 * reflink: FICLONE from the command line, for the kernel-client CLONE test
 * (e2e/nfs/kernel-clone-job.sh; the guest's busybox cp has no --reflink). On an NFSv4.2
 * mount the ioctl is sent to the server as CLONE. Built static on the host and carried
 * into the guest inside the job script.
 *
 *   reflink SRC DST    DST (existing) becomes a clone of SRC: prints "cloned", exit 0;
 *                      else "error: <strerror>", exit 1
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: reflink SRC DST\n");
    return 2;
  }
  int src = open(argv[1], O_RDONLY);
  int dst = open(argv[2], O_WRONLY);
  if (src < 0 || dst < 0 || ioctl(dst, FICLONE, src) != 0) {
    printf("error: %s\n", strerror(errno));
    return 1;
  }
  printf("cloned\n");
  return 0;
}
