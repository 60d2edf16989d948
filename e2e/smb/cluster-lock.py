"""A byte-range lock held through one dfs instance, tried through another serving the same
share (cluster-share.test.ts): PORT USER PASSWORD SHARE OTHER_PORT NAME. The second
instance must refuse the overlapping lock while the first holds it, and grant it once the
first unlocks. One JSON line per case (smbcases.py)."""
from impacket.smb3structs import (
    FILE_READ_DATA,
    FILE_SHARE_READ,
    FILE_SHARE_WRITE,
    FILE_WRITE_DATA,
    SMB2_LOCK,
    SMB2_LOCK_ELEMENT,
    SMB2_LOCKFLAG_EXCLUSIVE_LOCK,
    SMB2_LOCKFLAG_FAIL_IMMEDIATELY,
    SMB2_LOCKFLAG_UNLOCK,
    SMB2Lock,
)
from impacket.smb3 import SessionError
from impacket.smbconnection import SMBConnection
from impacket.nt_errors import STATUS_SUCCESS

from smbcases import EXTRA_ARGS, PASSWORD, PORT, SHARE, USER, attempt

OTHER_PORT, NAME = int(EXTRA_ARGS[0]), EXTRA_ARGS[1]


def open_on(port):
    conn = SMBConnection("127.0.0.1", "127.0.0.1", sess_port=port)
    conn.login(USER, PASSWORD)
    tid = conn.connectTree(SHARE)
    fid = conn.openFile(tid, NAME, desiredAccess=FILE_READ_DATA | FILE_WRITE_DATA,
                        shareMode=FILE_SHARE_READ | FILE_SHARE_WRITE)
    return conn.getSMBServer(), tid, fid


def lock(smb, tid, fid, offset, length, flags):
    """SMB2 LOCK with one element (impacket's own lock() joins the elements as text)."""
    element = SMB2_LOCK_ELEMENT()
    element["Offset"], element["Length"], element["Flags"] = offset, length, flags
    request = SMB2Lock()
    request["FileID"] = fid
    request["LockCount"] = 1
    request["Locks"] = element.getData()
    packet = smb.SMB_PACKET()
    packet["Command"] = SMB2_LOCK
    packet["TreeID"] = tid
    packet["Data"] = request
    answer = smb.recvSMB(smb.sendSMB(packet))
    if not answer.isValidAnswer(STATUS_SUCCESS):
        raise SessionError(answer["Status"], answer)


holder = open_on(PORT)
other = open_on(OTHER_PORT)
EXCLUSIVE_NOW = SMB2_LOCKFLAG_EXCLUSIVE_LOCK | SMB2_LOCKFLAG_FAIL_IMMEDIATELY
attempt("first-instance-locks", lambda: lock(*holder, 0, 10, EXCLUSIVE_NOW))
attempt("second-instance-overlap", lambda: lock(*other, 5, 1, EXCLUSIVE_NOW))
attempt("second-instance-disjoint", lambda: lock(*other, 10, 5, EXCLUSIVE_NOW))
attempt("first-instance-unlocks", lambda: lock(*holder, 0, 10, SMB2_LOCKFLAG_UNLOCK))
attempt("second-instance-after-unlock", lambda: lock(*other, 5, 1, EXCLUSIVE_NOW))
