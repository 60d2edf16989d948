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

export interface LoopFsOptions {
  /** Where the image file goes (default: a temp dir of its own). */
  imageDir?: string;
  /** Mount options besides `loop`. */
  mountOptions?: string[];
}

/** Makes and mounts a `sizeMiB` filesystem of `type` (xfs, ext4); the image is sparse. */
export function mountLoopFs(type: 'xfs' | 'ext4', sizeMiB = 320, options: LoopFsOptions = {}): LoopFs {
  const base = options.imageDir ?? makeTmpDir(`dittofs-${type}-`);
  const image = path.join(base, 'image');
  const dir = path.join(base, 'mnt');
  writeFileSync(image, '');
  truncateSync(image, sizeMiB * 1024 * 1024);
  execFileSync(`mkfs.${type}`, ['-q', ...(type === 'ext4' ? ['-F'] : []), image], { stdio: 'pipe' });
  mkdirSync(dir);
  execFileSync('mount', ['-o', ['loop', ...(options.mountOptions ?? [])].join(','), image, dir], { stdio: 'pipe' });
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
