"""A file held open over SMB while NFS removes it or renames another file over it, for
e2e/smb/open-unlinked-nfs.test.ts.

Usage: /usr/bin/python3 open-unlinked-nfs.py PORT USER PASSWORD SHARE MODE WHERE NFSCLIENT ARG...
WHERE is `blocks:DIR`, a managed share whose payload store keeps its block files under DIR, or
`fds:PID:DIR`, a folder share on DIR served by the dfs process PID; NFSCLIENT ARG... is the libnfs
client (e2e/nfs/libnfs-client.c) with its server arguments. The open reads the same bytes, writes
and answers QUERY_INFO after the NFS change; its name is gone over SMB and NFS; the file's blocks
(on a folder share: the unlinked file dfs holds open) stay until the open closes, then go. Prints
one JSON line per case. MODE is `cases` for that, or `hold`: a file is opened, removed over NFS
and held open until stdin closes (dfs is killed meanwhile), its payload id reported.
"""
import os
import struct
import subprocess
import sys
import time

from impacket.smb3 import SessionError

from smbcases import EXTRA_ARGS, SHARE, attempt, connect, report, status

MODE, WHERE, NFS = EXTRA_ARGS[0], EXTRA_ARGS[1], EXTRA_ARGS[2:]
DIR = "unl"
SIZE = 3 * 1024 * 1024

RW = 0x0012019F
DELETE = 0x10000
SHARE_ALL = 7
OPEN, CREATE = 1, 2
DIRECTORY_FILE, NON_DIRECTORY_FILE = 0x1, 0x40
STANDARD = 5
RENAME, DISPOSITION = 10, 13

conn, tid, smb = connect()


def open_(name, disposition=OPEN, options=NON_DIRECTORY_FILE):
    return smb.create(tid, name, RW | DELETE, SHARE_ALL, options, disposition, 0)


def new_file(name, data):
    fid = open_(name, CREATE)
    smb.write(tid, fid, data, 0, len(data))
    smb.close(tid, fid)


def smb_rename(fid, new_name):
    name = new_name.encode("utf-16le")
    smb.setInfo(tid, fid, struct.pack("<B7xQI", 0, 0, len(name)) + name, infoType=1, fileInfoClass=RENAME)


def delete_on_close(fid):
    smb.setInfo(tid, fid, b"\x01", infoType=1, fileInfoClass=DISPOSITION)


def read_all(fid, size):
    out = b""
    while len(out) < size:
        chunk = smb.read(tid, fid, len(out), min(1024 * 1024, size - len(out)))
        if not chunk:
            break
        out += chunk
    return out


def same(fid, data):
    """Whether the open reads `data`, or the status its READ failed with."""
    try:
        return "same" if read_all(fid, len(data)) == data else "differs"
    except SessionError as err:
        return status(err)


def standard(fid):
    """FileStandardInformation: EndOfFile and NumberOfLinks."""
    data = smb.queryInfo(tid, fid, infoType=1, fileInfoClass=STANDARD)
    _, eof, links = struct.unpack_from("<QQI", data, 0)
    return "eof=%d links=%d" % (eof, links)


def nfs(*args):
    run = subprocess.run(NFS + list(args), capture_output=True, text=True)
    return run.returncode, run.stdout + run.stderr


def nfs_change(suite, *args):
    code, out = nfs("--suite", suite, *args)
    return "ok" if code == 0 else "nfs failed: " + out


def nfs_stat(path):
    code, out = nfs("--suite", "stat", "--path", path)
    for line in out.splitlines():
        if line.startswith(path + " "):
            return line.split(" ", 1)[1]
    return "nfs failed: " + out


def payloads():
    """Managed share: the payload ids with block files in DIR. Folder share: the files of DIR that
    the dfs process PID holds open although they have no name (Linux: "... (deleted)")."""
    kind, _, where = WHERE.partition(":")
    found = set()
    if kind == "blocks":
        for _, _, files in os.walk(where):
            found.update(f.split(".", 1)[0] for f in files if f.endswith(".blk"))
        return found
    pid, _, folder = where.partition(":")
    for fd in os.listdir("/proc/%s/fd" % pid):
        try:
            target = os.readlink("/proc/%s/fd/%s" % (pid, fd))
        except OSError:
            continue
        if target.startswith(folder + "/") and target.endswith(" (deleted)"):
            found.add(target[: -len(" (deleted)")])
    return found


def wait_blocks(want, timeout=15):
    """Polls until `want(payloads())` holds (the carver and deletions run in the background)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if want(payloads()):
            return True
        time.sleep(0.2)
    return want(payloads())


def new_payload(path, data):
    """Writes `path`; answers the payload id whose blocks appeared for it, or on a folder share the
    file's path in the folder (what the process holds once its name is gone)."""
    before = payloads()
    new_file(path, data)
    if WHERE.startswith("fds:"):
        return WHERE.split(":", 2)[2] + "/" + path.replace("\\", "/")
    wait_blocks(lambda now: len(now - before) > 0)
    made = payloads() - before
    return made.pop() if len(made) == 1 else None


def blocks_state(payload):
    there = payload in payloads()
    if WHERE.startswith("fds:"):
        return "held with no name" if there else "not held with no name"
    return "stored" if there else "gone"


def blocks_after_close(payload):
    return "freed" if wait_blocks(lambda now: payload not in now) else "still stored"


def listed(name):
    return "listed" if any(f.get_longname() == name for f in conn.listPath(SHARE, DIR + "\\*")) else "not listed"


def held_case(prefix, change):
    """Opens DIR\\<prefix>.bin and reads it, runs the NFS `change` and checks the open, then closes it."""
    name = prefix + ".bin"
    data = os.urandom(SIZE)
    payload = new_payload(DIR + "\\" + name, data)
    fid = open_(DIR + "\\" + name)
    report(prefix + ": read before", same(fid, data))
    report(prefix + ": blocks before", blocks_state(payload))
    report(prefix + ": NFS change", change())
    report(prefix + ": read after", same(fid, data))
    attempt(prefix + ": query info after", lambda: standard(fid))
    attempt(prefix + ": write after", lambda: smb.write(tid, fid, b"tail", SIZE, 4))
    attempt(prefix + ": read of the write", lambda: smb.read(tid, fid, SIZE, 4).decode(errors="replace"))
    report(prefix + ": blocks while open", blocks_state(payload))
    # The name is gone (or another file's): neither a rename nor the delete at close may touch it.
    attempt(prefix + ": rename through the open after", lambda: smb_rename(fid, DIR + "\\" + prefix + "-moved.bin"))
    attempt(prefix + ": delete-pending through the open after", lambda: delete_on_close(fid))
    attempt(prefix + ": close", lambda: smb.close(tid, fid))
    report(prefix + ": blocks after close", blocks_after_close(payload))
    return name


def main():
    smb.close(tid, open_(DIR, CREATE, DIRECTORY_FILE))

    gone = held_case("removed", lambda: nfs_change("unlink", "--path", "/" + DIR + "/removed.bin"))
    attempt("removed: SMB open by name after", lambda: smb.close(tid, open_(DIR + "\\" + gone)))
    report("removed: SMB listing after", listed(gone))
    report("removed: NFS name after", nfs_stat("/" + DIR + "/" + gone))

    new_file(DIR + "\\newer.bin", b"the newer file")
    replaced = held_case(
        "replaced", lambda: nfs_change("rename", "--path", "/" + DIR + "/newer.bin", "--to", "/" + DIR + "/replaced.bin")
    )
    fid = open_(DIR + "\\" + replaced)
    report("replaced: SMB reads the name after", smb.read(tid, fid, 0, 64).decode(errors="replace"))
    smb.close(tid, fid)
    report("replaced: NFS name after", nfs_stat("/" + DIR + "/newer.bin"))


def hold():
    smb.close(tid, open_(DIR, CREATE, DIRECTORY_FILE))
    payload = new_payload(DIR + "\\held.bin", os.urandom(SIZE))
    fid = open_(DIR + "\\held.bin")
    report("payload", payload)
    report("NFS change", nfs_change("unlink", "--path", "/" + DIR + "/held.bin"))
    report("blocks while open", blocks_state(payload))
    report("held", "yes")
    sys.stdin.read()


hold() if MODE == "hold" else main()
