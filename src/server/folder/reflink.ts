/**
 * Whole-file reflink of one file of a folder onto another, empty one (NFSv4.2 CLONE): the
 * destination shares the source's blocks, through libuv's copyfile with FICLONE_FORCE (the
 * FICLONE ioctl on Linux; Node offers no ranged clone). Where the filesystem cannot share
 * blocks (ext4, tmpfs, two filesystems) the answer is false and nothing has changed.
 *
 * libuv's copyfile writes into the destination's own inode (so the client's handle stays
 * valid), but truncates it first, sets the source's mode on it, and unlinks the path when the
 * clone fails. Hence: only an empty destination is cloned onto, a hard link keeps its inode
 * and puts it back under its name after a failure, and its mode is restored either way.
 */
import { constants } from 'node:fs';
import { chmod, copyFile, link, rename, stat, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';

/** Errors that say "this filesystem, or this pair of files, cannot share blocks". */
const CANNOT_SHARE = new Set(['EOPNOTSUPP', 'ENOTSUP', 'ENOSYS', 'EXDEV', 'EINVAL', 'ENOTTY', 'EEXIST']);

/**
 * Makes the empty file at `dstPath` a reflink of `srcPath`. Resolves true when done, false
 * when the files cannot share blocks (the destination is as it was); rejects on other
 * filesystem errors (after putting the destination back).
 */
export async function reflinkOntoEmpty(srcPath: string, dstPath: string): Promise<boolean> {
  const [src, dst] = await Promise.all([stat(srcPath, { bigint: true }), stat(dstPath, { bigint: true })]);
  if (dst.size !== 0n || src.dev !== dst.dev || src.ino === dst.ino) return false;
  const keep = path.join(path.dirname(dstPath), `.dfs-clone-${randomBytes(6).toString('hex')}`);
  await link(dstPath, keep);
  try {
    await copyFile(srcPath, dstPath, constants.COPYFILE_FICLONE_FORCE);
  } catch (err) {
    // The destination inode, under its name again (rename onto another link of it does nothing).
    await rename(keep, dstPath);
    if (CANNOT_SHARE.has((err as NodeJS.ErrnoException).code ?? '')) return false;
    throw err;
  } finally {
    await unlink(keep).catch(() => undefined);
    // copyfile gave it the source's mode before trying the clone, whatever came of it.
    await chmod(dstPath, Number(dst.mode & 0o7777n));
  }
  return true;
}
