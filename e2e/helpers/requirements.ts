/**
 * The machine tools an end-to-end test needs (real clients, a browser, qemu), each with the
 * Debian package that provides it. `scripts/test-all.sh` installs them all; a test that
 * finds one missing skips saying which package to install — except under CI (`CI` set),
 * where a missing tool fails the run, so a test can never pass CI by skipping quietly.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

export interface Requirement {
  /** What is needed, in words ("nfs-ls and nfs-cp"). */
  what: string;
  /** The Debian package(s) that provide it. */
  debianPackages: string;
  present: () => boolean;
}

const onPath = (bin: string): boolean => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;

function kernelImageInstalled(): boolean {
  try {
    return readdirSync('/boot').some((f) => f.startsWith('vmlinuz-'));
  } catch {
    return false;
  }
}

export const LIBNFS_UTILS: Requirement = {
  what: 'nfs-ls and nfs-cp',
  debianPackages: 'libnfs-utils',
  present: () => onPath('nfs-ls') && onPath('nfs-cp'),
};

export const LIBNFS_DEV: Requirement = {
  what: 'gcc and the libnfs headers',
  debianPackages: 'build-essential libnfs-dev',
  present: () => onPath('gcc') && existsSync('/usr/include/nfsc/libnfs.h'),
};

/** TI-RPC's rpcinfo: a real RPC client of the portmapper, over TCP and UDP. */
export const RPCINFO: Requirement = {
  what: 'rpcinfo',
  debianPackages: 'rpcbind',
  present: () => onPath('rpcinfo'),
};

export const SMBCLIENT: Requirement = {
  what: 'smbclient',
  debianPackages: 'smbclient',
  present: () => onPath('smbclient'),
};

export const SMBTORTURE: Requirement = {
  what: 'smbtorture',
  debianPackages: 'samba-testsuite',
  present: () => onPath('smbtorture'),
};

/** Impacket under Debian's own python3 (raw SMB2 packets for the negative tests). */
export const IMPACKET: Requirement = {
  what: 'python3-impacket',
  debianPackages: 'python3-impacket',
  present: () => spawnSync('/usr/bin/python3', ['-c', 'import impacket.smb3']).status === 0,
};

/** Debian's Chromium, or the browser DITTOFS_E2E_CHROMIUM names. */
export const CHROMIUM_PATH = process.env['DITTOFS_E2E_CHROMIUM'] ?? '/usr/bin/chromium';

export const CHROMIUM_BROWSER: Requirement = {
  what: 'Chromium',
  debianPackages: 'chromium',
  present: () => existsSync(CHROMIUM_PATH),
};

/** The qemu guest of ../shared/tools/kernel-client (its README lists the same packages). */
export const KERNEL_CLIENT_GUEST: Requirement = {
  what: 'qemu, socat, busybox and a Debian kernel image',
  debianPackages: 'qemu-system-x86 linux-image-cloud-amd64 busybox-static socat kmod cpio',
  present: () =>
    onPath('qemu-system-x86_64') && onPath('socat') && existsSync('/bin/busybox') && kernelImageInstalled(),
};

/** A PostgreSQL server answering on 127.0.0.1:5432 (scripts/test-all.sh installs and starts it). */
export const POSTGRESQL: Requirement = {
  what: 'a PostgreSQL server on 127.0.0.1:5432',
  debianPackages: 'postgresql',
  present: () => spawnSync('pg_isready', ['-q', '-h', '127.0.0.1', '-p', '5432']).status === 0,
};

/** The newest installed PostgreSQL server's binaries (Debian keeps them out of PATH). */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(path.join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : path.join(root, versions[0], 'bin');
}

/** initdb and pg_ctl for a PostgreSQL of a test's own, and the postgres user to run it as under root. */
export const POSTGRESQL_SERVER_BINARIES: Requirement = {
  what: 'initdb and pg_ctl',
  debianPackages: 'postgresql',
  present: () =>
    postgresBinDir() !== undefined && (process.getuid?.() !== 0 || spawnSync('id', ['-u', 'postgres']).status === 0),
};

/**
 * Why tests needing `requirements` cannot run here (naming the packages to install), or null
 * when everything is present. Under CI a missing tool throws, failing the test file.
 */
export function unmet(...requirements: Requirement[]): string | null {
  const missing = requirements.filter((r) => !r.present());
  if (missing.length === 0) return null;
  const reason = missing.map((r) => `${r.what} missing (apt-get install ${r.debianPackages})`).join('; ');
  if (process.env['CI']) throw new Error(`CI requires every test tool: ${reason}. Run scripts/test-all.sh.`);
  console.warn(`skipping: ${reason}`);
  return reason;
}
