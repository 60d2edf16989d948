"""Two connections creating names that differ only in case at the same moment, for
e2e/smb/case-race.test.ts.

Usage: /usr/bin/python3 case-race.py PORT USER PASSWORD SHARE
ROUNDS times each, two threads (one connection each) create caserace\\nameN and
caserace\\NAMEN together, with OPEN_IF and then with CREATE. Prints one JSON line per case:
{"case": ..., "outcome": "..."} counting the rounds by what they made.
"""
import struct
import threading
from collections import Counter

from impacket.smb3 import SessionError
from smbcases import SHARE, connect, report, status

DIR = "caserace"
ROUNDS = 25
RW = 0x0012019F
SHARE_ALL = 7
OPEN_IF, CREATE = 3, 2
DIRECTORY_FILE, NON_DIRECTORY_FILE = 0x1, 0x40
INTERNAL = 6


def create(link, name, disposition, barrier, out, slot):
    _, tid, smb = link
    barrier.wait()
    try:
        fid = smb.create(tid, name, RW, SHARE_ALL, NON_DIRECTORY_FILE, disposition, 0)
        data = smb.queryInfo(tid, fid, infoType=1, fileInfoClass=INTERNAL)
        smb.close(tid, fid)
        out[slot] = "id:%d" % struct.unpack_from("<Q", data, 0)[0]
    except SessionError as err:
        out[slot] = status(err)


def race(links, prefix, disposition):
    """Counter of round outcomes: both results (sorted, ids as "same"/"differ") and entries made."""
    rounds = Counter()
    for i in range(ROUNDS):
        names = ["%s\\%s%d" % (DIR, prefix, i), "%s\\%s%d" % (DIR, prefix.upper(), i)]
        barrier, out = threading.Barrier(2), [None, None]
        threads = [threading.Thread(target=create, args=(links[k], names[k], disposition, barrier, out, k)) for k in (0, 1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        ids = [o for o in out if o.startswith("id:")]
        shown = sorted("opened" if o.startswith("id:") else o for o in out)
        same = "" if len(ids) < 2 else (" same file" if ids[0] == ids[1] else " different files")
        rounds["%s%s" % (" + ".join(shown), same)] += 1
    listing = links[0][0].listPath(SHARE, DIR + "\\" + prefix + "*")
    made = Counter(f.get_longname().lower() for f in listing)
    rounds["names with more than one entry: %d" % sum(1 for n in made.values() if n > 1)] += 1
    return rounds


def main():
    links = [connect(), connect()]
    _, tid, smb = links[0]
    smb.close(tid, smb.create(tid, DIR, RW, SHARE_ALL, DIRECTORY_FILE, OPEN_IF, 0))
    for prefix, disposition, label in (("openif", OPEN_IF, "OPEN_IF"), ("create", CREATE, "CREATE")):
        for outcome, count in sorted(race(links, prefix, disposition).items()):
            report("%s: %s" % (label, outcome), str(count))
    for f in links[0][0].listPath(SHARE, DIR + "\\*"):
        if f.get_longname() not in (".", ".."):
            links[0][0].deleteFile(SHARE, DIR + "\\" + f.get_longname())
    links[0][0].deleteDirectory(SHARE, DIR)
    for conn, _, _ in links:
        conn.logoff()


main()
