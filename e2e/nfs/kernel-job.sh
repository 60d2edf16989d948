# Guest job (busybox ash) for e2e/nfs/kernel.test.ts, run by
# /work/shared/tools/kernel-client/run-guest.sh: the real Linux NFS client against the
# server on the host's 127.0.0.1, once per version in NFS_VERS within one guest boot.
#   In: $HOST $PORT $MOUNTPORT (run-guest.sh), NFS_EXPORT (default /export), MB (default 64),
#       NFS_VERS (space-separated of 3, 4.0, 4.1, 4.2 and "auto"; default 3). "auto" is what
#       a plain `mount -t nfs` does: the guest has no mount.nfs (busybox), so this job does
#       its negotiation — 4.2, then 4.1, then 4.0, the next only when the server refuses the
#       minor version — and checks that 4.2 was agreed, then a small write and read back.
#       helpers nfs_mount / now / mbps (guest-init.sh).
# Prints "ok NAME" / "FAIL NAME: detail" per check (NAME prefixed by "vVERS/" when more
# than one version runs); exit code = number of failures.
EXPORT=${NFS_EXPORT:-/export}
MB=${MB:-64}
M=/mnt/nfs
fail=0
P=""

ok() { echo "ok $P$1"; }
bad() { echo "FAIL $P$1: $2"; fail=$((fail + 1)); }
# t NAME CMD...: ok when CMD succeeds
t() { _n=$1; shift; if "$@"; then ok "$_n"; else bad "$_n" "command failed: $*"; fi; }
# eq NAME GOT WANT
eq() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1" "got '$2', expected '$3'"; fi; }

# mount_vers VERS: nfs_mount, or for "auto" mount.nfs's order of versions (nfs-utils stropts.c).
mount_vers() {
  if [ "$1" != auto ]; then
    nfs_mount "$1" "$EXPORT" "$M"
    return
  fi
  for _try in 4.2 4.1 4.0; do
    if nfs_mount "$_try" "$EXPORT" "$M" 2>/dev/null; then return 0; fi
  done
  return 1
}

# The negotiated mount: which version, and that it works.
run_auto() {
  if ! mount_vers auto; then bad mount "no NFSv4 minor version could be mounted"; return; fi
  ok mount
  eq negotiated-4.2 "$(grep " $M " /proc/mounts | grep -o 'vers=[0-9.]*')" "vers=4.2"
  echo "negotiated" > "$M/auto-$$"
  eq write-read "$(cat "$M/auto-$$")" "negotiated"
  t rm rm "$M/auto-$$"
  t umount umount "$M"
}

# run_version VERS: the whole exercise over one version; returns early when a mount fails.
run_version() {
VERS=$1
if [ "$VERS" = auto ]; then
  run_auto
  return
fi
if ! mount_vers "$VERS"; then
  bad mount "mount -t nfs vers=$VERS $HOST:$EXPORT (port $PORT, mountport $MOUNTPORT) failed"
  dmesg | tail -5
  return
fi
ok mount
grep " $M " /proc/mounts | cut -c1-300

D=$M/kjob-$(date +%s)-$$
t mkdir-work mkdir "$D"

# --- a tree: create, write, read, rename, link, chmod, truncate, rm -r ----------------
t mkdir-p mkdir -p "$D/tree/a/b/c" "$D/tree/x"
echo "hello from the kernel client" > "$D/tree/a/f1"
eq write-read "$(cat "$D/tree/a/f1")" "hello from the kernel client"
echo "second line" >> "$D/tree/a/f1"
eq append "$(wc -l < "$D/tree/a/f1" | tr -d ' ')" "2"
i=0
while [ $i -lt 50 ]; do echo "file $i" > "$D/tree/a/b/c/n$i"; i=$((i + 1)); done
eq many-files "$(ls "$D/tree/a/b/c" | wc -l | tr -d ' ')" "50"
eq read-many "$(cat "$D/tree/a/b/c/n37")" "file 37"
t rename mv "$D/tree/a/f1" "$D/tree/x/f1-moved"
if [ -e "$D/tree/a/f1" ]; then bad rename-source-gone "old name still exists"; else ok rename-source-gone; fi
eq rename-content "$(head -1 "$D/tree/x/f1-moved")" "hello from the kernel client"
echo "overwritten" > "$D/tree/x/target"
t rename-over mv "$D/tree/a/b/c/n1" "$D/tree/x/target"
eq rename-over-content "$(cat "$D/tree/x/target")" "file 1"
t rename-dir mv "$D/tree/a/b" "$D/tree/x/b-moved"
eq rename-dir-content "$(cat "$D/tree/x/b-moved/c/n2")" "file 2"
t hardlink ln "$D/tree/x/f1-moved" "$D/tree/hard"
eq nlink-2 "$(stat -c %h "$D/tree/x/f1-moved")" "2"
eq same-inode "$(stat -c %i "$D/tree/hard")" "$(stat -c %i "$D/tree/x/f1-moved")"
t unlink-link rm "$D/tree/hard"
eq nlink-1 "$(stat -c %h "$D/tree/x/f1-moved")" "1"
t symlink ln -s "x/f1-moved" "$D/tree/sym"
eq readlink "$(readlink "$D/tree/sym")" "x/f1-moved"
eq symlink-follow "$(head -1 "$D/tree/sym")" "hello from the kernel client"
t chmod chmod 640 "$D/tree/x/f1-moved"
eq chmod-mode "$(stat -c %a "$D/tree/x/f1-moved")" "640"
t chmod-dir chmod 700 "$D/tree/x"
eq chmod-dir-mode "$(stat -c %a "$D/tree/x")" "700"
t chown chown 1234:5678 "$D/tree/x/target"
eq chown-owner "$(stat -c %u:%g "$D/tree/x/target")" "1234:5678"
t touch-mtime touch -d "2001-02-03 04:05:06" "$D/tree/x/target"
eq mtime "$(stat -c %Y "$D/tree/x/target")" "$(date -d "2001-02-03 04:05:06" +%s)"
dd if=/dev/zero of="$D/tree/trunc" bs=1k count=100 2>/dev/null
t truncate-down truncate -s 1000 "$D/tree/trunc"
eq truncate-down-size "$(stat -c %s "$D/tree/trunc")" "1000"
t truncate-up truncate -s 5000000 "$D/tree/trunc"
eq truncate-up-size "$(stat -c %s "$D/tree/trunc")" "5000000"
eq truncate-up-zeros "$(dd if="$D/tree/trunc" bs=1 skip=4999990 count=10 2>/dev/null | od -An -tx1 | tr -d ' \n')" "00000000000000000000"
if rmdir "$D/tree/x" 2>/dev/null; then bad rmdir-nonempty "rmdir of a non-empty dir succeeded"; else ok rmdir-nonempty; fi
if cat "$D/tree/no-such-file" 2>/dev/null; then bad enoent "reading a missing file succeeded"; else ok enoent; fi
ls -la "$D/tree" "$D/tree/x"
t rm-r rm -r "$D/tree"
if [ -e "$D/tree" ]; then bad rm-r-gone "tree still exists"; else ok rm-r-gone; fi

# --- MB MiB with fsync, verified by checksums after umount + mount -------------------
dd if=/dev/urandom of=/tmp/src bs=1M count="$MB" 2>/dev/null
SRC_MD5=$(md5sum < /tmp/src | cut -d' ' -f1)
SRC_SHA=$(sha256sum < /tmp/src | cut -d' ' -f1)
t0=$(now)
t dd-write-fsync dd if=/tmp/src of="$D/big" bs=1M conv=fsync
t1=$(now)
echo "# write $MB MiB (fsync): $(mbps $((MB * 1048576)) "$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')")"
eq big-size "$(stat -c %s "$D/big")" "$((MB * 1048576))"
rm -f /tmp/src
t umount umount "$M"
if ! mount_vers "$VERS"; then
  bad remount "second mount failed"
  return
fi
ok remount
t0=$(now)
eq md5-after-remount "$(md5sum < "$D/big" | cut -d' ' -f1)" "$SRC_MD5"
t1=$(now)
echo "# cold read + md5 $MB MiB: $(mbps $((MB * 1048576)) "$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')")"
eq sha256-after-remount "$(sha256sum < "$D/big" | cut -d' ' -f1)" "$SRC_SHA"
t rm-big rm "$D/big"
t rmdir-work rmdir "$D"
t umount-final umount "$M"
}

set -- ${NFS_VERS:-3}
for v in "$@"; do
  if [ $# -gt 1 ]; then P="v$v/"; fi
  echo "# --- NFS vers=$v ---"
  run_version "$v"
done
P=""
echo "# failures: $fail"
exit $fail
