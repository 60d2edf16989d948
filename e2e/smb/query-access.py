"""QUERY_INFO on opens with too little access, for e2e/smb/query-access.test.ts.

Usage: /usr/bin/python3 query-access.py PORT USER PASSWORD SHARE
Creates query-access.txt, then for each (desired access, info type, class, additional info)
opens it with only that access and queries; prints one JSON line per case:
{"case": ..., "outcome": "ok" | "status:0x........"}.
"""
import json
import sys

from impacket.smb3 import SessionError
from impacket.smbconnection import SMBConnection

PORT, USER, PASSWORD, SHARE = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
NAME = "query-access.txt"

READ_DATA, READ_ATTRIBUTES, READ_CONTROL, SYNCHRONIZE = 0x1, 0x80, 0x20000, 0x100000
FILE, SECURITY = 1, 3
BASIC, STANDARD, ALL, NETWORK_OPEN, ATTRIBUTE_TAG = 4, 5, 18, 34, 35
OWNER_GROUP_DACL = 0x7

CASES = [
    ("basic without READ_ATTRIBUTES", READ_DATA, FILE, BASIC, 0),
    ("all without READ_ATTRIBUTES", READ_DATA, FILE, ALL, 0),
    ("network-open without READ_ATTRIBUTES", READ_DATA, FILE, NETWORK_OPEN, 0),
    ("attribute-tag without READ_ATTRIBUTES", READ_DATA, FILE, ATTRIBUTE_TAG, 0),
    ("standard without READ_ATTRIBUTES", READ_DATA, FILE, STANDARD, 0),
    ("basic with READ_ATTRIBUTES", READ_ATTRIBUTES, FILE, BASIC, 0),
    ("all with READ_ATTRIBUTES", READ_ATTRIBUTES, FILE, ALL, 0),
    ("security without READ_CONTROL", READ_ATTRIBUTES, SECURITY, 0, OWNER_GROUP_DACL),
    ("security with READ_CONTROL", READ_CONTROL, SECURITY, 0, OWNER_GROUP_DACL),
]


def main():
    conn = SMBConnection("127.0.0.1", "127.0.0.1", sess_port=PORT)
    conn.login(USER, PASSWORD)
    tid = conn.connectTree(SHARE)
    smb = conn.getSMBServer()
    # OVERWRITE_IF (5), FILE_ATTRIBUTE_NORMAL; share everything so the probes can open it.
    fid = smb.create(tid, NAME, 0x0012019F, 7, 0, 5, 0x80)
    smb.close(tid, fid)
    for case, access, info_type, cls, additional in CASES:
        fid = smb.create(tid, NAME, access | SYNCHRONIZE, 7, 0, 1, 0x80)
        try:
            smb.queryInfo(tid, fid, infoType=info_type, fileInfoClass=cls, additionalInformation=additional)
            outcome = "ok"
        except SessionError as err:
            outcome = "status:0x%08x" % (err.get_error_code() & 0xFFFFFFFF)
        finally:
            smb.close(tid, fid)
        print(json.dumps({"case": case, "outcome": outcome}), flush=True)
    conn.deleteFile(SHARE, NAME)
    conn.logoff()


main()
