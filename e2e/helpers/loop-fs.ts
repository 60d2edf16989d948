/**
 * A small filesystem of a given type on a loop device, mounted in a temp directory, for
 * tests that need what a filesystem can or cannot do (reflinks: XFS shares blocks, ext4 does
 * not) whatever the machine's own disks are. Needs root, mount with loop support, and the
 * mkfs of the type (LOOP_XFS: xfsprogs; ext4's is always there).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Requirement } from './requirements.ts';
import { makeTmpDir, removeTmpDir } from './tmp.ts';

export interface LoopFs {
  /** The mounted filesystem's root: 0777, for folder shares that write as any uid. */
  dir: string;
  unmount(): void;
}

const onPath = (bin: string): boolean => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;

export const LOOP_XFS: Requirement = {
  what: 'root, loop mounts and mkfs.xfs',
  debianPackages: 'xfsprogs', // mount and losetup: always installed
  present: () => process.getuid?.() === 0 && onPath('mkfs.xfs') && onPath('losetup') && onPath('mount'),
};

/** Makes and mounts a `sizeMiB` filesystem of `type` (xfs, ext4); the image is sparse. `mountOptions` go with `loop`. */
export function mountLoopFs(type: 'xfs' | 'ext4', sizeMiB = 320, mountOptions: string[] = []): LoopFs {
  const base = makeTmpDir(`dittofs-${type}-`);
  const image = path.join(base, 'image');
  const dir = path.join(base, 'mnt');
  try {
    chmodSync(base, 0o755); // the root below is for any uid: its parent must let them reach it
    writeFileSync(image, '');
    truncateSync(image, sizeMiB * 1024 * 1024);
    execFileSync(`mkfs.${type}`, ['-q', ...(type === 'ext4' ? ['-F'] : []), image], { stdio: 'pipe' });
    mkdirSync(dir);
    execFileSync('mount', ['-o', ['loop', ...mountOptions].join(','), image, dir], { stdio: 'pipe' });
  } catch (err) {
    removeTmpDir(base);
    throw err;
  }
  chmodSync(dir, 0o777);
  let mounted = true;
  return {
    dir,
    unmount: () => {
      if (mounted) spawnSync('umount', [dir]);
      mounted = false;
      removeTmpDir(base);
    },
  };
}
