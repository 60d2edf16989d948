/**
 * The NFSv4 pseudo filesystem (RFC 7530 §7): a read-only tree of directories whose leaves
 * are the share roots this client may mount, so `mount server:/export` and a plain
 * `mount server:/` both work. Its handles are the path below the root after a marker byte
 * no share handle starts with (metadata/handles.ts versions are 1 and 2).
 */
import { FileType, type AuthContext, type FileAttr } from '../../../metadata/types.ts';
import type { ShareInfo, SharesView } from '../../../runtime/types.ts';
import { mountRefusal } from '../admission.ts';

const MARK = 0xf4;
/** fsid of the pseudo filesystem; share fsids are (share id, 1). */
export const PSEUDO_FSID = 0;

export function isPseudoHandle(fh: Buffer): boolean {
  return fh.length >= 1 && fh[0] === MARK;
}

export function pseudoHandle(path: string): Buffer {
  return Buffer.concat([Buffer.of(MARK), Buffer.from(path, 'utf8')]);
}

export function pseudoPathOf(fh: Buffer): string {
  return fh.toString('utf8', 1);
}

/** A share's place in the pseudo tree: its name's segments. */
export function sharePath(share: ShareInfo): string {
  return share.name
    .split('/')
    .filter((p) => p !== '' && p !== '.')
    .join('/');
}

export function parentPath(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

export type PseudoChild = { name: string; path: string; share: ShareInfo | undefined };

/** The enabled shares the client may mount, as the MOUNT protocol decides. */
export function visibleShares(shares: SharesView, clientAddr: string, auth: AuthContext): ShareInfo[] {
  return shares.list().filter((s) => mountRefusal(s, clientAddr, auth) === undefined && sharePath(s) !== '');
}

/** Entries of a pseudo directory: share roots, and directories on the way to deeper ones. */
export function pseudoChildren(path: string, visible: ShareInfo[]): PseudoChild[] {
  const out = new Map<string, PseudoChild>();
  const prefix = path === '' ? '' : path + '/';
  for (const share of visible) {
    const p = sharePath(share);
    if (!p.startsWith(prefix)) continue;
    const name = p.slice(prefix.length).split('/')[0] ?? '';
    if (name === '') continue;
    const childPath = prefix + name;
    const isRoot = childPath === p;
    if (isRoot || !out.has(name)) out.set(name, { name, path: childPath, share: isRoot ? share : undefined });
  }
  return [...out.values()];
}

/** Whether a pseudo directory exists for this client (it leads to a share it may see). */
export function pseudoExists(path: string, visible: ShareInfo[]): boolean {
  return path === '' || visible.some((s) => (sharePath(s) + '/').startsWith(path + '/'));
}

/** A stable fileid in the pseudo filesystem: 1 for its root, an FNV-1a hash of the path else. */
export function pseudoFileid(path: string): number {
  if (path === '') return 1;
  let h = 0x811c9dc5;
  for (const b of Buffer.from(path, 'utf8')) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h + 2;
}

export function pseudoAttr(path: string, bootSec: number): FileAttr {
  const t = { sec: bootSec, nsec: 0 };
  return {
    type: FileType.Directory,
    mode: 0o555,
    nlink: 2,
    uid: 0,
    gid: 0,
    size: 4096,
    used: 4096,
    rdev: { major: 0, minor: 0 },
    fileid: pseudoFileid(path),
    atime: t,
    mtime: t,
    ctime: t,
    btime: t,
    payloadId: '',
    dosAttributes: 0,
  };
}
