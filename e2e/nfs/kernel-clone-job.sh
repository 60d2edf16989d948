# Guest job (busybox ash) for e2e/nfs/kernel-clone.test.ts, run by
# /work/shared/tools/kernel-client/run-guest.sh: FICLONE (what `cp --reflink` does) on
# NFSv4.2 mounts of two folder shares, one on XFS (the server shares the blocks: CLONE
# succeeds) and one on ext4 (the server answers NOTSUPP: the ioctl fails and the empty
# destination stays empty). Also a clone onto a file with content, which the server refuses.
#   In: $HOST $PORT (run-guest.sh), XFS_EXPORT, EXT4_EXPORT; /tmp/reflink
#       (e2e/nfs/reflink.c) written by the prelude the test puts before this.
# Prints "ok NAME" / "FAIL NAME: detail" per check; exit code = number of failures.
fail=0
ok() { echo "ok $1"; }
bad() { echo "FAIL $1: $2"; fail=$((fail + 1)); }
eq() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1" "got '$2', expected '$3'"; fi; }

nfs_mount 4.2 "$XFS_EXPORT" /mnt/xfs || { bad mount-xfs "mount failed"; dmesg | tail -5; exit 1; }
nfs_mount 4.2 "$EXT4_EXPORT" /mnt/ext4 || { bad mount-ext4 "mount failed"; dmesg | tail -5; exit 1; }
ok mounts

# XFS: a 3 MiB file cloned onto a new empty one.
dd if=/dev/urandom of=/mnt/xfs/src bs=1024 count=3072 2>/dev/null
: > /mnt/xfs/dst
eq xfs-clone "$(/tmp/reflink /mnt/xfs/src /mnt/xfs/dst)" "cloned"
eq xfs-same-content "$(md5sum < /mnt/xfs/dst)" "$(md5sum < /mnt/xfs/src)"
eq xfs-size "$(stat -c %s /mnt/xfs/dst)" "3145728"
# Onto a file with content: the server clones whole files onto empty ones only.
echo keep > /mnt/xfs/full
case "$(/tmp/reflink /mnt/xfs/src /mnt/xfs/full)" in
  error:*) ok xfs-onto-content-refused ;;
  *) bad xfs-onto-content-refused "the clone onto a file with content succeeded" ;;
esac
eq xfs-content-kept "$(cat /mnt/xfs/full)" "keep"

# ext4: the server's filesystem cannot share blocks.
dd if=/dev/urandom of=/mnt/ext4/src bs=1024 count=512 2>/dev/null
: > /mnt/ext4/dst
eq ext4-clone-notsupp "$(/tmp/reflink /mnt/ext4/src /mnt/ext4/dst)" "error: Operation not supported"
eq ext4-dst-still-empty "$(stat -c %s /mnt/ext4/dst)" "0"
eq ext4-nothing-beside "$(ls -a /mnt/ext4 | grep -v -e '^\.\.*$' -e lost+found | tr '\n' ' ')" "dst src "

umount /mnt/xfs; umount /mnt/ext4
exit $fail
