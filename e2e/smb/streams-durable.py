"""A named stream written and flushed, read back after dfs restarts, for e2e/smb/streams.test.ts.

Usage: /usr/bin/python3 streams-durable.py PORT USER PASSWORD SHARE write|read
write: 200 KB into durable.bin:AFP_Resource, then FLUSH; read: the stream's SHA-256.
Prints one JSON line per case: {"case": ..., "outcome": ...}.
"""
import hashlib

from smbcases import EXTRA_ARGS, attempt, connect

RW = 0x0012019F
OPEN, OPEN_IF = 1, 3
NAME = "durable.bin:AFP_Resource"
DATA = bytes(i * 7 % 251 for i in range(200_000))

conn, tid, smb = connect()


def write():
    fid = smb.create(tid, NAME, RW, 7, 0, OPEN_IF, 0)
    for at in range(0, len(DATA), 65536):
        chunk = DATA[at : at + 65536]
        smb.write(tid, fid, chunk, at, len(chunk))
    smb.flush(tid, fid)
    smb.close(tid, fid)
    return hashlib.sha256(DATA).hexdigest()


def read():
    fid = smb.create(tid, NAME, RW, 7, 0, OPEN, 0)
    data = b""
    while True:
        chunk = smb.read(tid, fid, len(data), 65536)
        if not chunk:
            break
        data += chunk
        if len(chunk) < 65536:
            break
    smb.close(tid, fid)
    return hashlib.sha256(data).hexdigest()


attempt(EXTRA_ARGS[0], write if EXTRA_ARGS == ["write"] else read)
