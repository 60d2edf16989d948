"""The sparse flag (FSCTL_SET_SPARSE, FILE_ATTRIBUTE_SPARSE_FILE) as the file's own state, for
e2e/smb/sparse-flag.test.ts.

Usage: /usr/bin/python3 sparse-flag.py PORT USER PASSWORD SHARE PHASE
PHASE "set" makes sparse/f.bin sparse through one connection and reads it back through
another; PHASE "restarted" (after a server restart) reads it, then clears it. Prints one JSON
line per case: {"case": ..., "outcome": "attrs:0x..." | "ranges:N" | "ok" | "status:0x........"}.
"""
import struct

from smbcases import EXTRA_ARGS, SHARE, attempt, connect

PHASE = EXTRA_ARGS[0]
DIR, FILE = "sparse", "sparse\\f.bin"

RW = 0x0012019F
READ_ATTRIBUTES, SYNCHRONIZE = 0x80, 0x100000
SHARE_ALL = 7
OPEN, OPEN_IF, OVERWRITE_IF = 1, 3, 5
DIRECTORY_FILE = 0x1
BASIC = 4
FSCTL_SET_SPARSE, FSCTL_QUERY_ALLOCATED_RANGES = 0x000900C4, 0x000940CF
IS_FSCTL = 1


def attrs(link):
    _, tid, smb = link
    fid = smb.create(tid, FILE, READ_ATTRIBUTES | SYNCHRONIZE, SHARE_ALL, 0, OPEN, 0)
    try:
        data = smb.queryInfo(tid, fid, infoType=1, fileInfoClass=BASIC)
        return "attrs:0x%03x" % struct.unpack_from("<I", data, 32)[0]
    finally:
        smb.close(tid, fid)


def listed(link):
    conn = link[0]
    for f in conn.listPath(SHARE, DIR + "\\*"):
        if f.get_longname() == "f.bin":
            return "attrs:0x%03x" % f.get_attributes()
    return "missing"


def set_sparse(link, buffer):
    _, tid, smb = link
    fid = smb.create(tid, FILE, RW, SHARE_ALL, 0, OPEN, 0)
    try:
        smb.ioctl(tid, fid, FSCTL_SET_SPARSE, IS_FSCTL, buffer, maxOutputResponse=0)
    finally:
        smb.close(tid, fid)


def allocated_ranges(link):
    """A 3-block file whose middle block is zeros: two ranges when sparse, one when not."""
    _, tid, smb = link
    fid = smb.create(tid, FILE, RW, SHARE_ALL, 0, OPEN, 0)
    try:
        out = smb.ioctl(tid, fid, FSCTL_QUERY_ALLOCATED_RANGES, IS_FSCTL, struct.pack("<QQ", 0, 3 * 4096), maxOutputResponse=1024)
        return "ranges:%d" % (len(out) // 16)
    finally:
        smb.close(tid, fid)


def main():
    first, second = connect(), connect()
    _, tid, smb = first
    if PHASE == "set":
        smb.close(tid, smb.create(tid, DIR, RW, SHARE_ALL, DIRECTORY_FILE, OPEN_IF, 0))
        fid = smb.create(tid, FILE, RW, SHARE_ALL, 0, OVERWRITE_IF, 0)
        smb.write(tid, fid, b"a" * 4096 + b"\0" * 4096 + b"b" * 4096, 0, 3 * 4096)
        smb.close(tid, fid)
        attempt("new file", lambda: attrs(second))
        attempt("set sparse on the first connection", lambda: set_sparse(first, b""))
        attempt("attributes on the second connection", lambda: attrs(second))
        attempt("listed on the second connection", lambda: listed(second))
        attempt("allocated ranges on the second connection", lambda: allocated_ranges(second))
    else:
        attempt("attributes after a restart", lambda: attrs(second))
        attempt("allocated ranges after a restart", lambda: allocated_ranges(second))
        attempt("clear sparse on the first connection", lambda: set_sparse(first, b"\0"))
        attempt("attributes once cleared", lambda: attrs(second))
        attempt("allocated ranges once cleared", lambda: allocated_ranges(second))
    for conn, _, _ in (first, second):
        conn.logoff()


main()
