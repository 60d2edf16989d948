"""DOS attributes over SMB2 (MS-FSCC §2.6), for e2e/smb/dos-attributes.test.ts.

Usage: /usr/bin/python3 dos-attributes.py PORT USER PASSWORD SHARE
Creates, sets and queries attributes of files and a directory under dosattr/; prints one JSON
line per case: {"case": ..., "outcome": "attrs:0x.." | "ok" | "status:0x........"}.
"""
import struct

from smbcases import SHARE, attempt, connect

DIR = "dosattr"

READ_DATA, WRITE_DATA, DELETE, READ_ATTRIBUTES, WRITE_ATTRIBUTES = 0x1, 0x2, 0x10000, 0x80, 0x100
SYNCHRONIZE = 0x100000
RW = 0x0012019F
SHARE_ALL = 7
OPEN, CREATE, OPEN_IF, OVERWRITE_IF = 1, 2, 3, 5
DIRECTORY_FILE, NON_DIRECTORY_FILE, DELETE_ON_CLOSE = 0x1, 0x40, 0x1000
READONLY, HIDDEN, SYSTEM, ARCHIVE, NORMAL = 0x1, 0x2, 0x4, 0x20, 0x80
BASIC = 4

conn, tid, smb = connect()


def attrs_of(fid):
    data = smb.queryInfo(tid, fid, infoType=1, fileInfoClass=BASIC)
    return "attrs:0x%02x" % struct.unpack_from("<I", data, 32)[0]


def query(name):
    fid = smb.create(tid, name, READ_ATTRIBUTES | SYNCHRONIZE, SHARE_ALL, 0, OPEN, 0)
    try:
        return attrs_of(fid)
    finally:
        smb.close(tid, fid)


def set_attrs(name, attrs):
    fid = smb.create(tid, name, READ_ATTRIBUTES | WRITE_ATTRIBUTES | SYNCHRONIZE, SHARE_ALL, 0, OPEN, 0)
    try:
        smb.setInfo(tid, fid, b"\0" * 32 + struct.pack("<II", attrs, 0), infoType=1, fileInfoClass=BASIC)
    finally:
        smb.close(tid, fid)


def make(name, attrs, access=RW, disposition=CREATE, options=NON_DIRECTORY_FILE, close=True):
    fid = smb.create(tid, name, access, SHARE_ALL, options, disposition, attrs)
    if close:
        smb.close(tid, fid)
    return fid


def listed(name):
    for f in conn.listPath(SHARE, DIR + "\\*"):
        if f.get_longname() == name:
            return "attrs:0x%02x" % f.get_attributes()
    return "missing"


def main():
    smb.create(tid, DIR, RW, SHARE_ALL, DIRECTORY_FILE, OPEN_IF, 0)
    f, g, h = DIR + "\\plain.txt", DIR + "\\hidden.txt", DIR + "\\ro.txt"
    attempt("new file with NORMAL is ARCHIVE", lambda: (make(f, NORMAL), query(f))[1])
    attempt("new file with HIDDEN|SYSTEM keeps them", lambda: (make(g, HIDDEN | SYSTEM), query(g))[1])
    attempt("HIDDEN|SYSTEM file in a listing", lambda: listed("hidden.txt"))
    attempt("set READONLY", lambda: (set_attrs(f, READONLY), query(f))[1])
    attempt("open READONLY file for write", lambda: make(f, 0, RW, OPEN, 0))
    attempt("open READONLY file delete-on-close", lambda: make(f, 0, DELETE | READ_ATTRIBUTES, OPEN, DELETE_ON_CLOSE))
    attempt("set NORMAL clears everything", lambda: (set_attrs(f, NORMAL), query(f))[1])
    attempt("zero leaves attributes", lambda: (set_attrs(g, 0), query(g))[1])
    attempt("set HIDDEN|ARCHIVE, listed", lambda: (set_attrs(f, HIDDEN | ARCHIVE), listed("plain.txt"))[1])

    def write_sets_archive():
        set_attrs(f, NORMAL)
        fid = make(f, 0, RW, OPEN, 0, close=False)
        smb.write(tid, fid, b"data", 0, 4)
        smb.close(tid, fid)
        return query(f)

    attempt("write sets ARCHIVE", write_sets_archive)
    attempt("overwrite HIDDEN|SYSTEM file without them", lambda: make(g, NORMAL, RW, OVERWRITE_IF, 0))
    attempt("overwrite HIDDEN|SYSTEM file with them", lambda: (make(g, HIDDEN | SYSTEM, RW, OVERWRITE_IF, 0), query(g))[1])
    attempt("new READONLY file", lambda: (make(h, READONLY), query(h))[1])
    d = DIR + "\\sub"
    attempt("new directory with HIDDEN", lambda: (make(d, HIDDEN, RW, CREATE, DIRECTORY_FILE), query(d))[1])
    attempt("directory set SYSTEM", lambda: (set_attrs(d, SYSTEM), query(d))[1])
    attempt("directory set NORMAL", lambda: (set_attrs(d, NORMAL), query(d))[1])
    for name in (f, g, h):
        set_attrs(name, NORMAL)
        conn.deleteFile(SHARE, name)
    conn.deleteDirectory(SHARE, d)
    conn.deleteDirectory(SHARE, DIR)
    conn.logoff()


main()
