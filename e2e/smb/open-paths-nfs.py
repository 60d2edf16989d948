"""Paths of files held open over SMB while NFS renames them or a directory above them, for
e2e/smb/open-paths-nfs.test.ts.

Usage: /usr/bin/python3 open-paths-nfs.py PORT USER PASSWORD SHARE NFSCLIENT ARG...
NFSCLIENT ARG... is the libnfs client (e2e/nfs/libnfs-client.c) with its server arguments; each
NFS rename runs it as `... --suite rename --path FROM --to TO`. Prints one JSON line per case:
the name an open's QUERY_INFO answers, or the status of an SMB request.
"""
import struct
import subprocess

from smbcases import EXTRA_ARGS, attempt, connect, report

RW = 0x0012019F
DELETE = 0x10000
SHARE_ALL = 7
OPEN, OPEN_IF = 1, 3
DIRECTORY_FILE, NON_DIRECTORY_FILE = 0x1, 0x40
NAME, RENAME, ALL = 9, 10, 18
# FileAllInformation: Basic 40, Standard 24, Internal 8, EA 4, Access 4, Position 8, Mode 4, Alignment 4.
ALL_NAME_OFFSET = 96

conn, tid, smb = connect()


def open_(name, options=NON_DIRECTORY_FILE, access=RW | DELETE):
    return smb.create(tid, name, access, SHARE_ALL, options, OPEN_IF, 0)


def mkdirs(*names):
    for n in names:
        smb.close(tid, open_(n, DIRECTORY_FILE))


def name_at(data, offset):
    (length,) = struct.unpack_from("<I", data, offset)
    return data[offset + 4 : offset + 4 + length].decode("utf-16le")


def query_name(fid):
    return name_at(smb.queryInfo(tid, fid, infoType=1, fileInfoClass=NAME), 0)


def query_all_name(fid):
    return name_at(smb.queryInfo(tid, fid, infoType=1, fileInfoClass=ALL), ALL_NAME_OFFSET)


def nfs_rename(src, dst):
    run = subprocess.run(EXTRA_ARGS + ["--suite", "rename", "--path", src, "--to", dst], capture_output=True, text=True)
    return "ok" if run.returncode == 0 else "nfs failed: " + run.stdout + run.stderr


def smb_rename(fid, new_name):
    name = new_name.encode("utf-16le")
    smb.setInfo(tid, fid, struct.pack("<B7xQI", 0, 0, len(name)) + name, infoType=1, fileInfoClass=RENAME)


def main():
    mkdirs("opn", "opn\\dir", "other", "locked", "locked\\sub")
    fid = open_("opn\\dir\\f.txt")
    report("name when opened", query_name(fid))
    report("NFS renames the directory", nfs_rename("/opn/dir", "/opn/moved"))
    report("name after the directory's rename", query_name(fid))
    report("all-information name after it", query_all_name(fid))
    report("NFS moves the directory elsewhere", nfs_rename("/opn/moved", "/other/m2"))
    report("name after the move", query_name(fid))
    report("NFS renames the file itself", nfs_rename("/other/m2/f.txt", "/other/g.txt"))
    report("name after the file's rename", query_name(fid))
    attempt("SMB rename through the open after it", lambda: smb_rename(fid, "other\\h.txt"))
    report("name after the SMB rename", query_name(fid))
    smb.close(tid, fid)

    held = open_("locked\\sub\\k.txt")
    report("NFS renames a directory above an open file", nfs_rename("/locked/sub", "/locked/sub2"))
    sub = open_("locked\\sub2", DIRECTORY_FILE, RW | DELETE)
    attempt("SMB rename of that directory while the file is open", lambda: smb_rename(sub, "locked\\sub3"))
    smb.close(tid, sub)
    smb.close(tid, held)


main()
