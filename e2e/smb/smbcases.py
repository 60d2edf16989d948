"""What the impacket scripts of e2e/smb/ share: their arguments (PORT USER PASSWORD SHARE, then
the script's own), a connection as that user, and one JSON line {"case", "outcome"} per case,
as e2e/helpers/impacket-cases.ts reads them."""
import json
import sys

from impacket.smb3 import SessionError
from impacket.smbconnection import SMBConnection

PORT, USER, PASSWORD, SHARE = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
EXTRA_ARGS = sys.argv[5:]


def connect():
    """(connection, tree id, SMB3 session) on SHARE as USER."""
    conn = SMBConnection("127.0.0.1", "127.0.0.1", sess_port=PORT)
    conn.login(USER, PASSWORD)
    return conn, conn.connectTree(SHARE), conn.getSMBServer()


def status(err):
    return "status:0x%08x" % (err.get_error_code() & 0xFFFFFFFF)


def report(case, outcome):
    print(json.dumps({"case": case, "outcome": outcome}), flush=True)


def attempt(case, fn):
    """Reports fn's string result ("ok" for any other), or the NTSTATUS it failed with."""
    try:
        out = fn()
        report(case, out if isinstance(out, str) else "ok")
    except SessionError as err:
        report(case, status(err))
