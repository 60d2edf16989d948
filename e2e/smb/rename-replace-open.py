"""A rename with ReplaceIfExists onto a file that is open, for e2e/smb/rename-replace-open.test.ts.

Usage: /usr/bin/python3 rename-replace-open.py PORT USER PASSWORD SHARE
Files under rplopen/ are held open through one connection or another while a second open
renames onto them, the target named in its own or another spelling; prints one JSON line per
case: "ok", what an open reads or a listing shows, or the NTSTATUS of the request.
"""
import struct

from smbcases import SHARE, attempt, connect

DIR = "rplopen"

RW = 0x0012019F
DELETE, READ_ATTRIBUTES, SYNCHRONIZE = 0x10000, 0x80, 0x100000
SHARE_ALL = 7
OPEN, CREATE, OPEN_IF = 1, 2, 3
DIRECTORY_FILE, NON_DIRECTORY_FILE = 0x1, 0x40
RENAME = 10

conn, tid, smb = connect()
conn2, tid2, smb2 = connect()


def open_(name, access=RW | DELETE, disposition=OPEN, options=NON_DIRECTORY_FILE, s=None, t=None):
    return (s or smb).create(t or tid, name, access, SHARE_ALL, options, disposition, 0)


def new_file(name, data):
    fid = open_(name, RW, CREATE)
    smb.write(tid, fid, data, 0, len(data))
    smb.close(tid, fid)


def rename(fid, new_name, replace=True):
    name = new_name.encode("utf-16le")
    smb.setInfo(tid, fid, struct.pack("<B7xQI", 1 if replace else 0, 0, len(name)) + name, infoType=1, fileInfoClass=RENAME)


def read(fid, s=None, t=None):
    return (s or smb).read(t or tid, fid, 0, 16).decode()


def listing():
    return ",".join(sorted(f.get_longname() for f in conn.listPath(SHARE, DIR + "\\*") if f.get_longname() not in (".", "..")))


def fresh():
    """A.TXT ("old") and b.txt ("new") in an otherwise empty DIR, and an open of b.txt to rename it."""
    for f in conn.listPath(SHARE, DIR + "\\*"):
        if f.get_longname() not in (".", ".."):
            conn.deleteFile(SHARE, DIR + "\\" + f.get_longname())
    new_file(DIR + "\\A.TXT", b"old")
    new_file(DIR + "\\b.txt", b"new")
    return open_(DIR + "\\b.txt")


def held(case, target, access, s, t, replace=True):
    """Renames b.txt onto `target` while A.TXT is open with `access` through session `s`."""
    mover = fresh()
    holder = open_(DIR + "\\A.TXT", access, s=s, t=t)
    attempt(case, lambda: rename(mover, DIR + "\\" + target, replace))
    attempt(case + ": listing", listing)
    if access & 1:
        attempt(case + ": the holder reads", lambda: read(holder, s, t))
    s.close(t, holder)
    smb.close(tid, mover)


def main():
    smb.close(tid, open_(DIR, RW, OPEN_IF, DIRECTORY_FILE))
    # MS-FSCC §2.4.42: ACCESS_DENIED when the target is open and ReplaceIfExists is set.
    held("onto a file another connection holds open", "A.TXT", RW, smb2, tid2)
    held("onto it in another spelling", "a.txt", RW, smb2, tid2)
    held("onto it without ReplaceIfExists", "a.txt", RW, smb2, tid2, False)
    held("onto a file open for attributes only", "a.txt", READ_ATTRIBUTES | SYNCHRONIZE, smb2, tid2)
    held("onto a file this connection holds open", "a.txt", RW, smb, tid)
    held("onto one this connection holds for attributes only", "a.txt", READ_ATTRIBUTES | SYNCHRONIZE, smb, tid)
    mover = fresh()
    attempt("onto a file no one holds open", lambda: rename(mover, DIR + "\\a.txt"))
    attempt("onto a file no one holds open: listing", listing)
    attempt("the renamed open reads", lambda: read(mover))
    smb.close(tid, mover)

    conn.deleteFile(SHARE, DIR + "\\a.txt")
    conn.deleteDirectory(SHARE, DIR)
    conn.logoff()
    conn2.logoff()


main()
