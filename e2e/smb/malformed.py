"""Malformed SMB2 packets against an SMB server, for e2e/smb/malformed.test.ts.

Usage: /usr/bin/python3 malformed.py PORT USER PASSWORD SHARE
Prints one JSON line per case: {"case": ..., "outcome": "closed" | "status:0x........" |
"timeout"}. Raw cases speak TCP directly; the in-session cases log in with impacket and send
requests whose offsets and lengths lie, through impacket's own (signing) send path.
"""
import json
import socket
import struct
import sys

from impacket import smb3structs as s3
from impacket.smbconnection import SMBConnection

HOST = "127.0.0.1"
PORT, USER, PASSWORD, SHARE = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
TIMEOUT = 5.0


def header(command, message_id=0, protocol=b"\xfeSMB", structure_size=64):
    return protocol + struct.pack(
        "<HHIHHIIQIIQ16s", structure_size, 0, 0, command, 1, 0, 0, message_id, 0, 0, 0, b""
    )


def negotiate_body(dialect_count=1, dialects=(0x0202,)):
    body = struct.pack("<HHHH I 16s Q", 36, dialect_count, 1, 0, 0, b"\x11" * 16, 0)
    return body + b"".join(struct.pack("<H", d) for d in dialects)


def raw(case, payload, frame_length=None):
    """Sends one frame (the 4-byte length prefix, then payload) and reports what came back."""
    length = len(payload) if frame_length is None else frame_length
    sock = socket.create_connection((HOST, PORT), timeout=TIMEOUT)
    try:
        sock.sendall(struct.pack(">I", length) + payload)
        outcome = read_reply(sock)
    finally:
        sock.close()
    report(case, outcome)


def read_reply(sock):
    try:
        prefix = recv_exact(sock, 4)
        if prefix is None:
            return "closed"
        (length,) = struct.unpack(">I", prefix)
        msg = recv_exact(sock, min(length, 1 << 20))
        if msg is None or len(msg) < 12:
            return "closed"
        return "status:0x%08x" % struct.unpack_from("<I", msg, 8)[0]
    except socket.timeout:
        return "timeout"
    except ConnectionResetError:
        return "closed"


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def report(case, outcome):
    print(json.dumps({"case": case, "outcome": outcome}), flush=True)


def in_session(case, command, body):
    """Logs in, connects the share, sends `command` with the raw `body`; reports the status."""
    conn = SMBConnection(HOST, HOST, sess_port=PORT, timeout=TIMEOUT)
    conn.login(USER, PASSWORD)
    smb = conn.getSMBServer()
    tid = conn.connectTree(SHARE)
    try:
        packet = smb.SMB_PACKET()
        packet["Command"] = command
        packet["TreeID"] = tid
        packet["Data"] = body
        packet_id = smb.sendSMB(packet)
        answer = smb.recvSMB(packet_id)
        report(case, "status:0x%08x" % answer["Status"])
    except socket.timeout:
        report(case, "timeout")
    except (ConnectionResetError, BrokenPipeError, OSError) as err:
        report(case, "timeout" if "timed out" in str(err) else "closed")
    except Exception as err:  # impacket's NetBIOS layer reports a closed socket as its own error
        report(case, "closed" if "closed" in str(err).lower() or "error" in str(err).lower() else repr(err))
    finally:
        try:
            conn.close()
        except Exception:
            pass


NO_FILE = b"\xff" * 16
raw("bad protocol id", header(s3.SMB2_NEGOTIATE, protocol=b"\xfeSMX") + negotiate_body())
raw("bad header structure size", header(s3.SMB2_NEGOTIATE, structure_size=65) + negotiate_body())
raw("truncated header", header(s3.SMB2_NEGOTIATE)[:30])
raw("truncated negotiate body", header(s3.SMB2_NEGOTIATE) + negotiate_body()[:10])
raw("dialect count past the end", header(s3.SMB2_NEGOTIATE) + negotiate_body(dialect_count=0xFFFF))
raw("unknown command", header(0x00FF) + b"\x00" * 8)
raw("huge frame length", header(s3.SMB2_NEGOTIATE), frame_length=0x00FFFFFF)
raw("chained NextCommand out of range", header(s3.SMB2_ECHO)[:20] + struct.pack("<I", 0xFFF0) + header(s3.SMB2_ECHO)[24:] + struct.pack("<HH", 4, 0))
# WRITE: DataOffset beyond the message, then a Length far beyond it.
in_session("write with data offset past the end", s3.SMB2_WRITE, struct.pack("<HHIQ16sIIHHI", 49, 0xF000, 16, 0, NO_FILE, 0, 0, 0, 0, 0))
in_session("write with a huge length", s3.SMB2_WRITE, struct.pack("<HHIQ16sIIHHI", 49, 112, 0x7FFFFFFF, 0, NO_FILE, 0, 0, 0, 0, 0) + b"x")
# CREATE: NameOffset / NameLength pointing outside the message.
create_fixed = struct.pack("<HBBIQQIIIIHHII", 57, 0, 0, 2, 0, 0, 0x12019F, 0, 7, 1, 120, 0xFFFF, 0, 0)
in_session("create with a name past the end", s3.SMB2_CREATE, create_fixed + b"a\x00")
# READ with a huge length and a bogus FileId.
in_session("read with a huge length", s3.SMB2_READ, struct.pack("<HBBIQ16sIIIHH", 49, 0, 0, 0xFFFFFFFF, 0, NO_FILE, 0, 0, 0, 0, 0) + b"\x00")
# QUERY_INFO with an input buffer offset and length out of range.
in_session("query info with a bad input buffer", s3.SMB2_QUERY_INFO, struct.pack("<HBBIHHIII16s", 41, 1, 4, 4096, 0xFFF0, 0, 0xFFFF, 0, 0, NO_FILE))
