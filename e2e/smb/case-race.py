"""Two connections creating names that differ only in case at the same moment, for
e2e/smb/case-race.test.ts.

Usage: /usr/bin/python3 case-race.py PORT USER PASSWORD SHARE
ROUNDS times each, two threads (one connection each) create caserace\\nameN and
caserace\\NAMEN together, with OPEN_IF and then with CREATE; then one renames a file to
renN while the other creates RENN. Prints one JSON line per case: {"case": ..., "outcome":
"..."} counting the rounds by what they made. Then a case-only rename ("a" to "A") and a
rename onto a name differing only in case from another file.
"""
import struct
import threading
from collections import Counter

from impacket.smb3 import SessionError
from smbcases import SHARE, attempt, connect, report, status

DIR = "caserace"
ROUNDS = 25
RW = 0x0012019F
SHARE_ALL = 7
OPEN_IF, CREATE = 3, 2
DELETE = 0x10000
RENAME = 10
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


def rename_info(new_name, replace=False):
    """FileRenameInformation (MS-FSCC 2.4.37), with or without ReplaceIfExists."""
    name = new_name.encode("utf-16le")
    return struct.pack("<B7xQI", 1 if replace else 0, 0, len(name)) + name


def rename(link, fid, new_name, barrier, out, slot):
    _, tid, smb = link
    barrier.wait()
    try:
        smb.setInfo(tid, fid, rename_info(new_name), infoType=1, fileInfoClass=RENAME)
        out[slot] = "renamed"
    except SessionError as err:
        out[slot] = status(err)
    smb.close(tid, fid)


def names_like(link, prefix):
    """How many names of DIR, compared case-insensitively, have more than one entry."""
    made = Counter(f.get_longname().lower() for f in link[0].listPath(SHARE, DIR + "\\" + prefix + "*"))
    return "names with more than one entry: %d" % sum(1 for n in made.values() if n > 1)


def rename_race(links):
    """Counter of round outcomes of a rename to renN racing a CREATE of RENN."""
    rounds = Counter()
    _, tid, smb = links[0]
    for i in range(ROUNDS):
        fid = smb.create(tid, "%s\\src%d" % (DIR, i), RW | DELETE, SHARE_ALL, NON_DIRECTORY_FILE, CREATE, 0)
        barrier, out = threading.Barrier(2), [None, None]
        threads = [
            threading.Thread(target=rename, args=(links[0], fid, "%s\\ren%d" % (DIR, i), barrier, out, 0)),
            threading.Thread(target=create, args=(links[1], "%s\\REN%d" % (DIR, i), CREATE, barrier, out, 1)),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        # Either may win: the winner's result is "made".
        rounds[" + ".join(sorted("made" if o.startswith("id:") or o == "renamed" else o for o in out))] += 1
    rounds[names_like(links[0], "ren")] += 1
    return rounds


def create_and_rename(link, name, new_name, replace=False):
    """Creates DIR\\name and renames it to new_name through its open; the listing of DIR\\case* after."""
    _, tid, smb = link
    fid = smb.create(tid, DIR + "\\" + name, RW | DELETE, SHARE_ALL, NON_DIRECTORY_FILE, CREATE, 0)
    try:
        smb.setInfo(tid, fid, rename_info(DIR + "\\" + new_name, replace), infoType=1, fileInfoClass=RENAME)
    finally:
        smb.close(tid, fid)
    return ",".join(f.get_longname() for f in link[0].listPath(SHARE, DIR + "\\case*"))


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
    rounds[names_like(links[0], prefix)] += 1
    return rounds


def main():
    links = [connect(), connect()]
    _, tid, smb = links[0]
    smb.close(tid, smb.create(tid, DIR, RW, SHARE_ALL, DIRECTORY_FILE, OPEN_IF, 0))
    for prefix, disposition, label in (("openif", OPEN_IF, "OPEN_IF"), ("create", CREATE, "CREATE")):
        for outcome, count in sorted(race(links, prefix, disposition).items()):
            report("%s: %s" % (label, outcome), str(count))
    for outcome, count in sorted(rename_race(links).items()):
        report("RENAME: %s" % outcome, str(count))
    attempt("case-only rename", lambda: create_and_rename(links[0], "Case.txt", "CASE.TXT"))
    # "CASE.TXT" is another file now.
    attempt("rename onto a case variant", lambda: create_and_rename(links[0], "other.txt", "CASE.txt"))
    # With ReplaceIfExists it replaces "CASE.TXT", and the name is spelled as asked.
    attempt("replace onto a case variant", lambda: create_and_rename(links[0], "another.txt", "case.Txt", True))
    for f in links[0][0].listPath(SHARE, DIR + "\\*"):
        if f.get_longname() not in (".", ".."):
            links[0][0].deleteFile(SHARE, DIR + "\\" + f.get_longname())
    links[0][0].deleteDirectory(SHARE, DIR)
    for conn, _, _ in links:
        conn.logoff()


main()
