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
BASIC, STANDARD, DISPOSITION, DISPOSITION_EX = 4, 5, 13, 64
EX_DELETE, EX_POSIX_SEMANTICS, EX_ON_CLOSE, EX_IGNORE_READONLY = 0x1, 0x2, 0x8, 0x10

conn, tid, smb = connect()
conn2, tid2, smb2 = connect()


def open_(name, access=RW | DELETE, disposition=OPEN, options=0, attrs=0, s=None, t=None):
    return (s or smb).create(t or tid, name, access, SHARE_ALL, options, disposition, attrs)


def dispose(fid, pending, s=None, t=None):
    (s or smb).setInfo(t or tid, fid, bytes([1 if pending else 0]), infoType=1, fileInfoClass=DISPOSITION)


def dispose_ex(fid, flags, s=None, t=None):
    (s or smb).setInfo(t or tid, fid, struct.pack("<I", flags), infoType=1, fileInfoClass=DISPOSITION_EX)


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

    # FileDispositionInformationEx (MS-FSCC §2.4.11.2): ON_CLOSE sets the open's delete-on-close.
    new_file(f)
    a = open_(f)
    b = open_(f, READ_ATTRIBUTES | SYNCHRONIZE, s=smb2, t=tid2)
    attempt("ex ON_CLOSE|DELETE", lambda: dispose_ex(a, EX_ON_CLOSE | EX_DELETE))
    attempt("ex ON_CLOSE|DELETE: standard info while open", lambda: standard(a))
    smb.close(tid, a)
    attempt("ex ON_CLOSE|DELETE closed, another open left", lambda: standard(b, smb2, tid2))
    smb2.close(tid2, b)
    attempt("ex ON_CLOSE|DELETE: last close deletes", lambda: exists(f))
    new_file(f)
    a = open_(f, RW | DELETE, OPEN, DELETE_ON_CLOSE)
    attempt("ex ON_CLOSE clears delete-on-close", lambda: dispose_ex(a, EX_ON_CLOSE))
    smb.close(tid, a)
    attempt("ex ON_CLOSE cleared: file kept", lambda: exists(f))
    a = open_(f)
    attempt("ex DELETE", lambda: dispose_ex(a, EX_DELETE))
    attempt("ex DELETE: standard info", lambda: standard(a))
    attempt("ex DO_NOT_DELETE clears it", lambda: dispose_ex(a, 0))
    smb.close(tid, a)
    attempt("ex DO_NOT_DELETE: file kept", lambda: exists(f))

    # POSIX_SEMANTICS: other opens go on using the file after the deleting open closed; the
    # name stays delete-pending until the last close (dfs keeps no unlinked open files).
    a = open_(f)
    smb.write(tid, a, b"posix", 0, 5)
    b = open_(f, RW, s=smb2, t=tid2)
    attempt("ex DELETE|POSIX_SEMANTICS", lambda: dispose_ex(a, EX_DELETE | EX_POSIX_SEMANTICS))
    smb.close(tid, a)
    attempt("ex POSIX: another open reads after the deleting open closed", lambda: smb2.read(tid2, b, 0, 5).decode())
    attempt("ex POSIX: new open of the name", lambda: open_(f, READ_ATTRIBUTES | SYNCHRONIZE))
    smb2.close(tid2, b)
    attempt("ex POSIX: last close deletes", lambda: exists(f))

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
    a = open_(r, DELETE | READ_ATTRIBUTES | SYNCHRONIZE)
    attempt("ex DELETE on a READONLY file", lambda: dispose_ex(a, EX_DELETE))
    attempt("ex ON_CLOSE|DELETE on a READONLY file", lambda: dispose_ex(a, EX_ON_CLOSE | EX_DELETE))
    smb.close(tid, a)
    r2 = DIR + "\\ro2.txt"
    new_file(r2, READONLY)
    a = open_(r2, DELETE | READ_ATTRIBUTES | SYNCHRONIZE)
    attempt("ex DELETE|IGNORE_READONLY_ATTRIBUTE on a READONLY file", lambda: dispose_ex(a, EX_DELETE | EX_IGNORE_READONLY))
    smb.close(tid, a)
    attempt("ex IGNORE_READONLY_ATTRIBUTE: close deletes", lambda: exists(r2))
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
