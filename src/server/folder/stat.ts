/**
 * What a folder share reads from lstat(2): object types, the identity of a file (device,
 * inode and, where the file system reports one, birth time), times and device numbers.
 * Stats are BigInt ones: inode numbers and nanosecond times must be exact.
 */
import { lstatSync, type BigIntStats } from 'node:fs';
import { FileType, type Timespec } from '../metadata/types.ts';

const S_IFMT = 0o170000n;
const TYPES = new Map<bigint, FileType>([
  [0o100000n, FileType.Regular],
  [0o040000n, FileType.Directory],
  [0o120000n, FileType.Symlink],
  [0o010000n, FileType.Fifo],
  [0o140000n, FileType.Socket],
  [0o020000n, FileType.CharDevice],
  [0o060000n, FileType.BlockDevice],
]);

/** Which file a node is: (dev, ino) names it, btime tells a reused inode from the original. */
export interface Identity {
  dev: bigint;
  ino: bigint;
  /** Birth time in ns; 0 where the file system reports none. */
  btime: bigint;
}

/** lstat without throwing: undefined for a name that is gone (or a path through a non-directory). */
export function lstatOrUndefined(path: string): BigIntStats | undefined {
  try {
    return lstatSync(path, { bigint: true, throwIfNoEntry: false });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw err;
  }
}

export function typeOf(st: BigIntStats): FileType {
  return TYPES.get(st.mode & S_IFMT) ?? FileType.Regular;
}

export function identityOf(st: BigIntStats): Identity {
  return { dev: st.dev, ino: st.ino, btime: st.birthtimeNs };
}

/** Same file: same device and inode, and the same birth time when both sides know one. */
export function sameFile(a: Identity, b: Identity): boolean {
  return a.ino === b.ino && a.dev === b.dev && (a.btime === 0n || b.btime === 0n || a.btime === b.btime);
}

const NS = 1_000_000_000n;

export function timespecOf(ns: bigint): Timespec {
  return { sec: Number(ns / NS), nsec: Number(ns % NS) };
}

export function nsOf(t: Timespec): bigint {
  return BigInt(t.sec) * NS + BigInt(t.nsec);
}

/**
 * A time as the seconds number fs.utimes takes. libuv keeps microseconds only and truncates,
 * so half a microsecond is added: the file then gets exactly the microsecond asked for.
 */
export function utimeOf(t: Timespec): number {
  return t.sec + (Math.floor(t.nsec / 1000) + 0.5) / 1e6;
}

/** Linux dev_t encoding (glibc gnu_dev_major / gnu_dev_minor). */
export function rdevOf(rdev: bigint): { major: number; minor: number } {
  const major = ((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn);
  const minor = (rdev & 0xffn) | ((rdev >> 12n) & ~0xffn);
  return { major: Number(major & 0xffffffffn), minor: Number(minor & 0xffffffffn) };
}
