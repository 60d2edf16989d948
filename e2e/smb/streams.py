"""Named streams over SMB2 (MS-FSCC §2.4.44), for e2e/smb/streams.test.ts.

Usage: /usr/bin/python3 streams.py PORT USER PASSWORD SHARE
Creates, writes, lists and deletes streams of files under streams/; prints one JSON line per
case: {"case": ..., "outcome": ...}.
"""
import struct

from smbcases import attempt, connect

RW = 0x0012019F
DELETE = 0x10000
SHARE_ALL = 7
SUPERSEDE, OPEN, CREATE, OPEN_IF, OVERWRITE, OVERWRITE_IF = 0, 1, 2, 3, 4, 5
DIRECTORY_FILE, NON_DIRECTORY_FILE = 0x1, 0x40
STANDARD, NAME, RENAME, DISPOSITION, END_OF_FILE, STREAM = 5, 9, 10, 13, 20, 22
FS_ATTRIBUTE = 5
FILE_NAMED_STREAMS = 0x40000

conn, tid, smb = connect()


def opened(name, disposition=OPEN, access=RW, options=0, share=SHARE_ALL):
    return smb.create(tid, name, access, share, options, disposition, 0)


def with_open(name, fn, disposition=OPEN, access=RW, options=0, share=SHARE_ALL):
    fid = opened(name, disposition, access, options, share)
    try:
        return fn(fid)
    finally:
        smb.close(tid, fid)


def eof(fid):
    return "eof:%d" % struct.unpack_from("<q", smb.queryInfo(tid, fid, infoType=1, fileInfoClass=STANDARD), 8)[0]


def streams(fid):
    data = smb.queryInfo(tid, fid, infoType=1, fileInfoClass=STREAM)
    out, pos = [], 0
    while pos < len(data):
        nxt, length, size = struct.unpack_from("<IIq", data, pos)
        out.append("%s=%d" % (data[pos + 24 : pos + 24 + length].decode("utf-16-le"), size))
        if nxt == 0:
            break
        pos += nxt
    return ",".join(out)


def named_streams_flag():
    def query(fid):
        flags = struct.unpack_from("<I", smb.queryInfo(tid, fid, infoType=2, fileInfoClass=FS_ATTRIBUTE), 0)[0]
        return "yes" if flags & FILE_NAMED_STREAMS else "no"

    return with_open("", query, access=0x80, options=DIRECTORY_FILE)


def write(name, data, disposition=OPEN_IF):
    return with_open(name, lambda fid: smb.write(tid, fid, data, 0, len(data)), disposition)


def read(name):
    return with_open(name, lambda fid: "read:" + smb.read(tid, fid, 0, 4096).decode())


def rename(name, to):
    info = struct.pack("<B7xQI", 0, 0, len(to) * 2) + to.encode("utf-16-le")
    with_open(name, lambda fid: smb.setInfo(tid, fid, info, infoType=1, fileInfoClass=RENAME), access=RW | DELETE)


def delete(name):
    with_open(name, lambda fid: smb.setInfo(tid, fid, b"\x01", infoType=1, fileInfoClass=DISPOSITION), access=RW | DELETE)


smb.create(tid, "streams", RW, SHARE_ALL, DIRECTORY_FILE, CREATE, 0)
write("streams\\doc.bin", b"body", CREATE)
attempt("open a missing stream", lambda: with_open("streams\\doc.bin:nothere", eof))
attempt(
    "create a stream on a missing file creates both",
    lambda: "created:%s size:%s"
    % (
        with_open("streams\\new.bin:Zone.Identifier", lambda fid: "2", CREATE),
        with_open("streams\\new.bin", eof)[4:],
    ),
)
write("streams\\doc.bin:AFP_AfpInfo:$DATA", b"finder info", CREATE)
attempt("write and read back", lambda: read("streams\\doc.bin:AFP_AfpInfo"))
attempt("create an existing stream", lambda: with_open("streams\\doc.bin:AFP_AfpInfo", eof, CREATE))
attempt("open it in another case", lambda: read("streams\\doc.bin:afp_AFPINFO:$data"))
attempt(
    "overwrite empties it",
    lambda: "created:3 size:" + with_open("streams\\doc.bin:AFP_AfpInfo", eof, OVERWRITE)[4:],
)
write("streams\\doc.bin:AFP_AfpInfo", b"12345")
write("streams\\doc.bin:Zone.Identifier", b"[ZoneTransfer]")
attempt("stream size in FileStandardInformation", lambda: with_open("streams\\doc.bin:AFP_AfpInfo", eof))
attempt("file size unchanged by its streams", lambda: with_open("streams\\doc.bin", eof))
attempt("list streams", lambda: with_open("streams\\doc.bin", streams))


def name_of(fid):
    data = smb.queryInfo(tid, fid, infoType=1, fileInfoClass=NAME)
    return data[4 : 4 + struct.unpack_from("<I", data, 0)[0]].decode("utf-16-le")


attempt("name of a stream open", lambda: with_open("streams\\doc.bin:zone.identifier:$DATA", name_of))


def set_eof(fid):
    smb.setInfo(tid, fid, struct.pack("<q", 2), infoType=1, fileInfoClass=END_OF_FILE)
    return eof(fid)


attempt("set end of file on a stream", lambda: with_open("streams\\doc.bin:AFP_AfpInfo", set_eof))
attempt(
    "a write past 1 MiB",
    lambda: with_open("streams\\doc.bin:AFP_AfpInfo", lambda fid: smb.write(tid, fid, b"xy", 1024 * 1024 - 1, 2)),
)
rename("streams\\doc.bin", "streams\\renamed.bin")
attempt("rename keeps streams", lambda: with_open("streams\\renamed.bin", streams))
delete("streams\\renamed.bin:AFP_AfpInfo")
attempt("delete a stream (disposition)", lambda: with_open("streams\\renamed.bin", streams))
attempt("open with an unknown stream type", lambda: with_open("streams\\renamed.bin:x:$INDEX_ALLOCATION", eof))
smb.create(tid, "streams\\sdir", RW, SHARE_ALL, DIRECTORY_FILE, CREATE, 0)
attempt("stream of a directory", lambda: write("streams\\sdir:dirmeta", b"abc") and "")
attempt("directory stream listed", lambda: with_open("streams\\sdir", streams, options=DIRECTORY_FILE))
attempt("delete the file", lambda: delete("streams\\renamed.bin"))
with_open("streams\\renamed.bin", lambda fid: None, CREATE)
attempt("a new file of that name has no streams", lambda: with_open("streams\\renamed.bin", streams))
write("streams\\renamed.bin:kept", b"123")
attempt(
    "a stream open not sharing delete keeps the file from being deleted",
    lambda: with_open("streams\\renamed.bin:kept", lambda fid: delete("streams\\renamed.bin"), share=0),
)
attempt("overwrite the file deletes its streams", lambda: with_open("streams\\renamed.bin", streams, OVERWRITE))
attempt("FILE_NAMED_STREAMS advertised", named_streams_flag)
