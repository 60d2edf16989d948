# Guest job (busybox ash) for e2e/smb/kernel.test.ts, run by
# /work/shared/tools/kernel-client/run-guest.sh: the real Linux CIFS client against the
# server on the host's 127.0.0.1, once per SMB dialect in $VERSIONS.
#   In: $HOST $PORT (run-guest.sh), SMB_SHARE, SMB_USER, SMB_PASS, VERSIONS ("2.1 3.0 3.1.1"),
#       SEAL_VERSIONS (dialects also mounted with seal), MB (default 64), helpers cifs_mount / now / mbps.
# Prints "ok NAME" / "FAIL NAME: detail" per check; exit code = number of failures.
MB=${MB:-64}
M=/mnt/smb
fail=0

ok() { echo "ok $1"; }
bad() { echo "FAIL $1: $2"; fail=$((fail + 1)); }
t() { _n=$1; shift; if "$@"; then ok "$_n"; else bad "$_n" "command failed: $*"; fi; }
eq() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1" "got '$2', expected '$3'"; fi; }

# exercise TAG: a tree of creates, writes, reads, renames, a truncate and rm -r.
exercise() {
  tag=$1
  D=$M/kjob-$tag-$$
  t "$tag-mkdir" mkdir -p "$D/tree/a/b/c" "$D/tree/x"
  echo "hello from the kernel CIFS client" > "$D/tree/a/f1"
  eq "$tag-write-read" "$(cat "$D/tree/a/f1")" "hello from the kernel CIFS client"
  echo "second line" >> "$D/tree/a/f1"
  eq "$tag-append" "$(wc -l < "$D/tree/a/f1" | tr -d ' ')" "2"
  i=0
  while [ $i -lt 30 ]; do echo "file $i" > "$D/tree/a/b/c/n$i"; i=$((i + 1)); done
  eq "$tag-many-files" "$(ls "$D/tree/a/b/c" | wc -l | tr -d ' ')" "30"
  eq "$tag-read-many" "$(cat "$D/tree/a/b/c/n17")" "file 17"
  t "$tag-rename" mv "$D/tree/a/f1" "$D/tree/x/f1-moved"
  if [ -e "$D/tree/a/f1" ]; then bad "$tag-rename-source-gone" "old name still exists"; else ok "$tag-rename-source-gone"; fi
  eq "$tag-rename-content" "$(head -1 "$D/tree/x/f1-moved")" "hello from the kernel CIFS client"
  echo "overwritten" > "$D/tree/x/target"
  t "$tag-rename-over" mv "$D/tree/a/b/c/n1" "$D/tree/x/target"
  eq "$tag-rename-over-content" "$(cat "$D/tree/x/target")" "file 1"
  t "$tag-rename-dir" mv "$D/tree/a/b" "$D/tree/x/b-moved"
  eq "$tag-rename-dir-content" "$(cat "$D/tree/x/b-moved/c/n2")" "file 2"
  head -c 100000 /dev/urandom > "$D/tree/trunc"
  t "$tag-truncate" truncate -s 1000 "$D/tree/trunc"
  eq "$tag-truncate-size" "$(stat -c %s "$D/tree/trunc")" "1000"
  t "$tag-rm-r" rm -r "$D"
  if [ -e "$D" ]; then bad "$tag-rm-r-gone" "tree still exists"; else ok "$tag-rm-r-gone"; fi
}

for v in $VERSIONS; do
  for seal in "" $(echo " $SEAL_VERSIONS " | grep -q " $v " && echo seal); do
    tag="v$v${seal:+-seal}"
    if ! cifs_mount "$SMB_SHARE" "$M" "$SMB_USER" "$SMB_PASS" "$v" "$seal"; then
      bad "$tag-mount" "mount -t cifs vers=$v $seal failed"
      dmesg | tail -5
      continue
    fi
    ok "$tag-mount"
    exercise "$tag"
    umount "$M" || bad "$tag-umount" "umount failed"
  done
done

# 64 MiB with fsync over the newest dialect, verified after a remount.
v=${VERSIONS##* }
if cifs_mount "$SMB_SHARE" "$M" "$SMB_USER" "$SMB_PASS" "$v"; then
  F=$M/big-$$.bin
  head -c $((MB * 1048576)) /dev/urandom > /tmp/big.bin
  want=$(sha256sum /tmp/big.bin | cut -d' ' -f1)
  t0=$(now)
  t write-fsync dd if=/tmp/big.bin of="$F" bs=1M conv=fsync 2>/dev/null
  t1=$(now)
  echo "# write ${MB} MiB with fsync: $(mbps $((MB * 1048576)) "$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')")"
  umount "$M"
  if cifs_mount "$SMB_SHARE" "$M" "$SMB_USER" "$SMB_PASS" "$v"; then
    eq sha256-after-remount "$(sha256sum "$F" | cut -d' ' -f1)" "$want"
    rm -f "$F"
    umount "$M"
  else
    bad remount "mount after umount failed"
  fi
else
  bad big-mount "mount vers=$v failed"
fi
exit $fail
