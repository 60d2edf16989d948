# Guest job (busybox ash) for bench/nfs/kernel.ts: the Linux kernel NFS client at NFS_VERS
# (default 4.1) against one server, run by /work/shared/tools/kernel-client/run-guest.sh.
#   In: $HOST $PORT (run-guest.sh), NFS_EXPORT, NFS_VERS, MB (sequential file, default 256),
#       FILES (small files created, default 500), helpers nfs_mount / now (guest-init.sh).
# Prints "# figure NAME VALUE UNIT" lines; "FAIL ..." and a non-zero exit on errors.
EXPORT=${NFS_EXPORT:-/export}
VERS=${NFS_VERS:-4.1}
MB=${MB:-256}
FILES=${FILES:-500}
M=/mnt/nfs
secs() { awk -v a="$1" -v b="$2" 'BEGIN{ s=b-a; if (s<=0) s=0.001; print s }'; }
fig() { echo "# figure $1 $2 $3"; }

nfs_mount "$VERS" "$EXPORT" "$M" || { echo "FAIL mount vers=$VERS"; exit 1; }
grep " $M " /proc/mounts | grep -o 'vers=[0-9.]*'
D=$M/kbench-$$
mkdir "$D" || { echo "FAIL mkdir"; exit 1; }

dd if=/dev/urandom of=/tmp/src bs=1M count="$MB" 2>/dev/null
t0=$(now); dd if=/tmp/src of="$D/seq" bs=1M conv=fsync 2>/dev/null || echo "FAIL seqwrite"; t1=$(now)
fig seqwrite "$(awk -v m="$MB" -v s="$(secs "$t0" "$t1")" 'BEGIN{printf "%.1f", m/s}')" MB/s
rm -f /tmp/src
umount "$M" && nfs_mount "$VERS" "$EXPORT" "$M" || { echo "FAIL remount"; exit 1; }
t0=$(now); dd if="$D/seq" of=/dev/null bs=1M 2>/dev/null || echo "FAIL seqread"; t1=$(now)
fig seqread "$(awk -v m="$MB" -v s="$(secs "$t0" "$t1")" 'BEGIN{printf "%.1f", m/s}')" MB/s

mkdir "$D/small"
t0=$(now)
i=0
while [ $i -lt "$FILES" ]; do echo "small file $i" > "$D/small/f$i"; i=$((i + 1)); done
sync
t1=$(now)
fig creates "$(awk -v n="$FILES" -v s="$(secs "$t0" "$t1")" 'BEGIN{printf "%.0f", n/s}')" files/s
umount "$M" && nfs_mount "$VERS" "$EXPORT" "$M" || { echo "FAIL remount"; exit 1; }
t0=$(now); n=$(ls -l "$D/small" | wc -l); t1=$(now)
[ "$n" -gt "$FILES" ] || echo "FAIL listing has $n lines"
fig listdir "$(awk -v n="$FILES" -v s="$(secs "$t0" "$t1")" 'BEGIN{printf "%.0f", n/s}')" entries/s
rm -r "$D" && umount "$M"
