"""Delete-pending as the file's state (MS-FSA §2.1.5.14.3, §2.1.5.4), for e2e/smb/delete-pending.test.ts.

Usage: /usr/bin/python3 delete-pending.py PORT USER PASSWORD SHARE
Each case opens files under delpend/ through two connections and prints one JSON line:
{"case": ..., "outcome": "pending:N links:N" | "ok" | "exists" | "gone" | "status:0x........"}.
"""
import struct

from impacket.smb3 import SessionError
from smbcases import SHARE, attempt, connect

DIR = "delpend"

RW = 0x0012019F
DELETE, READ_ATTRIBUTES, WRITE_ATTRIBUTES, SYNCHRONIZE = 0x10000, 0x80, 0x100, 0x100000
SHARE_ALL = 7
OPEN, CREATE, OPEN_IF = 1, 2, 3
DIRECTORY_FILE, NON_DIRECTORY_FILE, DELETE_ON_CLOSE = 0x1, 0x40, 0x1000
READONLY, NORMAL = 0x1, 0x80
BASIC, STANDARD, DISPOSITION = 4, 5, 13

conn, tid, smb = connect()
conn2, tid2, smb2 = connect()


def open_(name, access=RW | DELETE, disposition=OPEN, options=0, attrs=0, s=None, t=None):
    return (s or smb).create(t or tid, name, access, SHARE_ALL, options, disposition, attrs)


def dispose(fid, pending, s=None, t=None):
    (s or smb).setInfo(t or tid, fid, bytes([1 if pending else 0]), infoType=1, fileInfoClass=DISPOSITION)


def standard(fid, s=None, t=None):
    data = (s or smb).queryInfo(t or tid, fid, infoType=1, fileInfoClass=STANDARD)
    links, pending = struct.unpack_from("<IB", data, 16)
    return "pending:%d links:%d" % (pending, links)


def exists(name):
    try:
        smb.close(tid, open_(name, READ_ATTRIBUTES | SYNCHRONIZE))
        return "exists"
    except SessionError as err:
        if err.get_error_code() & 0xFFFFFFFF == 0xC0000034:
            return "gone"
        raise


def new_file(name, attrs=NORMAL):
    smb.close(tid, open_(name, RW, CREATE, NON_DIRECTORY_FILE, attrs))


def main():
    smb.close(tid, open_(DIR, RW, OPEN_IF, DIRECTORY_FILE))
    f = DIR + "\\f.txt"

    # Disposition through one open marks the file for every open, on any connection.
    new_file(f)
    a = open_(f)
    b = open_(f, READ_ATTRIBUTES | SYNCHRONIZE, s=smb2, t=tid2)
    attempt("set disposition", lambda: dispose(a, True))
    attempt("standard info of the setting open", lambda: standard(a))
    attempt("standard info of another connection's open", lambda: standard(b, smb2, tid2))
    attempt("new open while pending", lambda: open_(f, READ_ATTRIBUTES | SYNCHRONIZE, s=smb2, t=tid2))
    attempt("create of a pending name", lambda: open_(f, RW, CREATE))
    attempt("clear disposition through another open", lambda: dispose(b, False, smb2, tid2))
    attempt("standard info after clearing", lambda: standard(a))
    smb.close(tid, a)
    smb2.close(tid2, b)
    attempt("cleared: file kept after the last close", lambda: exists(f))

    # Disposition set, then the setting open closes first: the other open's close deletes.
    a = open_(f)
    b = open_(f, READ_ATTRIBUTES | SYNCHRONIZE, s=smb2, t=tid2)
    dispose(a, True)
    smb.close(tid, a)
    attempt("after the setting open closed, others' close pending", lambda: exists(f))
    smb2.close(tid2, b)
    attempt("last close deletes", lambda: exists(f))

    # Delete-on-close marks the file as its open closes.
    new_file(f)
    a = open_(f, RW | DELETE, OPEN, DELETE_ON_CLOSE)
    b = open_(f, READ_ATTRIBUTES | SYNCHRONIZE, s=smb2, t=tid2)
    attempt("standard info of a delete-on-close open", lambda: standard(a))
    smb.close(tid, a)
    attempt("delete-on-close open closed, another open left", lambda: standard(b, smb2, tid2))
    attempt("new open after delete-on-close closed", lambda: open_(f, READ_ATTRIBUTES | SYNCHRONIZE))
    smb2.close(tid2, b)
    attempt("delete-on-close: last close deletes", lambda: exists(f))

    # Refusals.
    new_file(f)
    a = open_(f, READ_ATTRIBUTES | WRITE_ATTRIBUTES | SYNCHRONIZE)
    attempt("disposition without DELETE access", lambda: dispose(a, True))
    smb.close(tid, a)
    r = DIR + "\\ro.txt"
    new_file(r, READONLY)
    a = open_(r, DELETE | READ_ATTRIBUTES | SYNCHRONIZE)
    attempt("disposition on a READONLY file", lambda: dispose(a, True))
    smb.close(tid, a)
    attempt("delete-on-close of a READONLY file", lambda: open_(r, DELETE | READ_ATTRIBUTES, OPEN, DELETE_ON_CLOSE))
    d = DIR + "\\sub"
    smb.close(tid, open_(d, RW, CREATE, DIRECTORY_FILE))
    new_file(d + "\\inner.txt")
    a = open_(d, RW | DELETE, OPEN, DIRECTORY_FILE)
    attempt("disposition on a directory with entries", lambda: dispose(a, True))
    smb.close(tid, a)

    conn.deleteFile(SHARE, f)
    conn.deleteFile(SHARE, d + "\\inner.txt")
    conn.deleteDirectory(SHARE, d)
    a = open_(r, READ_ATTRIBUTES | WRITE_ATTRIBUTES | SYNCHRONIZE)
    smb.setInfo(tid, a, b"\0" * 32 + struct.pack("<II", NORMAL, 0), infoType=1, fileInfoClass=BASIC)
    smb.close(tid, a)
    conn.deleteFile(SHARE, r)
    conn.deleteDirectory(SHARE, DIR)
    conn.logoff()
    conn2.logoff()


main()
