# Guest job (busybox ash) for e2e/nfs/kernel-locks.test.ts, run by
# /work/shared/tools/kernel-client/run-guest.sh: byte-range locks taken by the real Linux
# clients against one file of one share, seen through an NFSv3 mount WITH locking (NLM),
# an NFSv4.0 mount and a CIFS mount.
#   In: $HOST $PORT (NFS, also NLM and NSM), GUEST_RPCBIND_PORT (the guest's own rpcbind,
#       run on the host), SMB_PORT SMB_USER SMB_PASS, NFS_EXPORT, SMB_SHARE; /tmp/plock
#       (fcntl locks, e2e/nfs/plock.c) written by the prelude the test puts before this.
# The server's portmapper answers on $HOST:111 (relayed by the harness).
# Prints "ok NAME" / "FAIL NAME: detail" per check; exit code = number of failures.
EXPORT=${NFS_EXPORT:-/export}
fail=0
ok() { echo "ok $1"; }
bad() { echo "FAIL $1: $2"; fail=$((fail + 1)); }
eq() { if [ "$2" = "$3" ]; then ok "$1"; else bad "$1" "got '$2', expected '$3'"; fi; }

# The guest's loopback rpcbind (lockd registers there, and finds statd there) -> the host's
# stand-in; statd -> the server's NSM, on the NFS port.
nc -ll -p 111 -e nc "$HOST" "$GUEST_RPCBIND_PORT" &
nc -ll -p "$PORT" -e nc "$HOST" "$PORT" &
sleep 1
# CIFS caches byte-range locks locally while it holds an oplock or lease: ask for none, so
# every lock reaches the server.
echo 0 > /sys/module/cifs/parameters/enable_oplocks 2>/dev/null

mkdir -p /mnt/v3 /mnt/v4 /mnt/smb
if mount -t nfs "$HOST:$EXPORT" /mnt/v3 -o "vers=3,proto=tcp,port=$PORT,mountport=$PORT,mountproto=tcp,mountaddr=$HOST,addr=$HOST,timeo=100,retrans=2,soft"; then
  ok mount-v3-with-locking
else
  bad mount-v3-with-locking "mount failed"; dmesg | tail -8; exit 1
fi
grep " /mnt/v3 " /proc/mounts | cut -c1-300
nfs_mount 4.0 "$EXPORT" /mnt/v4 || { bad mount-v4 "mount failed"; dmesg | tail -5; exit 1; }
ok mount-v4
SMB_OK=0
if SMB_PORT=$SMB_PORT cifs_mount "$SMB_SHARE" /mnt/smb "$SMB_USER" "$SMB_PASS" 3.0; then SMB_OK=1; ok mount-cifs; else bad mount-cifs "mount failed"; dmesg | tail -5; fi

N=klock-$(date +%s)-$$
echo "lock test file" > /mnt/v3/$N
chmod 666 /mnt/v3/$N

# hold NAME CMD...: runs a lock holder in the background, its stdin a fifo whose only writer
# is this shell's fd 3 (opened read-write first, so nothing blocks even if the holder dies);
# waits (no timing: up to 120 polls) for its first line.
hold() {
  _name=$1; shift
  rm -f /tmp/rel /tmp/holder.out; mkfifo /tmp/rel
  exec 3<> /tmp/rel
  "$@" < /tmp/rel > /tmp/holder.out 2>&1 3>&- &
  HOLDER=$!
  i=0; while [ ! -s /tmp/holder.out ] && [ $i -lt 120 ]; do sleep 0.5; i=$((i + 1)); done
  eq "$_name" "$(head -1 /tmp/holder.out)" "locked"
}
# release NAME: closes the holder's stdin and checks it unlocked and ended.
release() {
  exec 3>&-
  wait $HOLDER
  eq "$1" "$(tail -1 /tmp/holder.out)" "unlocked"
}

# --- NFSv3 through NLM: take and release; conflicts between two processes --------------
eq v3-fcntl-take-release "$(echo | /tmp/plock /mnt/v3/$N try w 0 0 | tr '\n' ' ')" "locked unlocked "
hold v3-holder-locked /tmp/plock /mnt/v3/$N try w 0 10
eq v3-conflict "$(/tmp/plock /mnt/v3/$N try w 5 1 < /dev/null)" "denied"
eq v3-read-conflict "$(/tmp/plock /mnt/v3/$N try r 9 1 < /dev/null)" "denied"
eq v3-disjoint "$(/tmp/plock /mnt/v3/$N try w 10 5 < /dev/null | head -1)" "locked"
eq v3-getlk "$(/tmp/plock /mnt/v3/$N test w 0 1)" "held w 0 10"
eq v3-flock-vs-fcntl "$(/tmp/plock /mnt/v3/$N flock w 0 0 < /dev/null)" "denied"
release v3-holder-unlocked
eq v3-free-after-release "$(/tmp/plock /mnt/v3/$N test w 0 0)" "free"
hold v3-flock-holder /tmp/plock /mnt/v3/$N flock w 0 0
eq v3-fcntl-vs-flock "$(/tmp/plock /mnt/v3/$N try r 0 1 < /dev/null)" "denied"
eq v3-flock-vs-flock "$(/tmp/plock /mnt/v3/$N flock r 0 0 < /dev/null)" "denied"
release v3-flock-released
eq v3-after-flock "$(echo | /tmp/plock /mnt/v3/$N try w 0 0 | head -1)" "locked"

# --- NFSv4.0: the same between two processes --------------------------------------------
hold v4-holder-locked /tmp/plock /mnt/v4/$N try w 0 0
eq v4-conflict "$(/tmp/plock /mnt/v4/$N try r 100 1 < /dev/null)" "denied"
eq v4-flock-vs-fcntl "$(/tmp/plock /mnt/v4/$N flock r 0 0 < /dev/null)" "denied"
release v4-holder-unlocked
eq v4-free "$(echo | /tmp/plock /mnt/v4/$N try w 0 0 | head -1)" "locked"
hold v4-flock-holder /tmp/plock /mnt/v4/$N flock w 0 0
eq v4-fcntl-vs-flock "$(/tmp/plock /mnt/v4/$N try w 7 1 < /dev/null)" "denied"
release v4-flock-released

# --- across protocols: NLM vs NFSv4 vs SMB on the same file ------------------------------
hold nlm-holds /tmp/plock /mnt/v3/$N try w 0 100
eq v4-sees-nlm-lock "$(/tmp/plock /mnt/v4/$N try w 50 1 < /dev/null)" "denied"
[ $SMB_OK = 1 ] && eq smb-sees-nlm-lock "$(/tmp/plock /mnt/smb/$N try w 50 1 < /dev/null)" "denied"
release nlm-released
hold v4-holds /tmp/plock /mnt/v4/$N try w 0 100
eq nlm-sees-v4-lock "$(/tmp/plock /mnt/v3/$N try w 50 1 < /dev/null)" "denied"
[ $SMB_OK = 1 ] && eq smb-sees-v4-lock "$(/tmp/plock /mnt/smb/$N try r 50 1 < /dev/null)" "denied"
release v4-released
if [ $SMB_OK = 1 ]; then
  hold smb-holds /tmp/plock /mnt/smb/$N try w 0 100
  eq nlm-sees-smb-lock "$(/tmp/plock /mnt/v3/$N try w 50 1 < /dev/null)" "denied"
  eq v4-sees-smb-lock "$(/tmp/plock /mnt/v4/$N try w 50 1 < /dev/null)" "denied"
  release smb-released
  eq nlm-after-smb "$(echo | /tmp/plock /mnt/v3/$N try w 0 0 | head -1)" "locked"
fi

# --- blocking locks: granted once the holder lets go (NLM: on the client's retry of the
# blocked LOCK, within its 30 s poll; SMB: the pending LOCK completes) ---------------------
# waited NAME FILE: polls (up to 120 times) for the waiter's "locked".
waited() {
  i=0; while ! grep -q locked "$2" 2>/dev/null && [ $i -lt 120 ]; do sleep 0.5; i=$((i + 1)); done
  eq "$1" "$(head -1 "$2")" "locked"
}
hold holder-for-waiters /tmp/plock /mnt/v3/$N try w 0 0
rm -f /tmp/w3.out /tmp/ws.out
# 3>&-: a waiter must not hold the holder's fifo open (the holder would never see its EOF).
/tmp/plock /mnt/v3/$N wait w 0 1 < /dev/null > /tmp/w3.out 2>&1 3>&- &
W3=$!
WS=
[ $SMB_OK = 1 ] && { /tmp/plock /mnt/smb/$N wait w 10 1 < /dev/null > /tmp/ws.out 2>&1 3>&- & WS=$!; }
sleep 2
eq nlm-waiter-blocked "$(cat /tmp/w3.out)" ""
[ $SMB_OK = 1 ] && eq smb-waiter-blocked "$(cat /tmp/ws.out)" ""
release holder-for-waiters-released
waited nlm-waiter-granted /tmp/w3.out
[ $SMB_OK = 1 ] && waited smb-waiter-granted /tmp/ws.out
kill $W3 $WS 2>/dev/null # only a waiter never granted is still there
wait $W3 $WS 2>/dev/null

rm -f /mnt/v3/$N
umount /mnt/smb 2>/dev/null
umount /mnt/v4 || bad umount-v4 "umount failed"
umount /mnt/v3 || bad umount-v3 "umount failed"
echo "lock checks done, $fail failure(s)"
exit $fail
