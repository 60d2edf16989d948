/**
 * The reflink of a folder share's file onto an empty one, where the filesystem refuses it
 * (ext4, tmpfs: this machine's temp directory): false, and the destination exactly as it
 * was — same inode, mode and emptiness, and no file left beside it. The filesystem that
 * accepts it (XFS) is exercised by e2e/nfs/kernel-clone.test.ts on a loop device.
 */
import { chmodSync, readdirSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { reflinkOntoEmpty } from './reflink.ts';

const EXT4_MAGIC = 0xef53;
const TMPFS_MAGIC = 0x01021994;
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function folder(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'dfs-reflink-'));
  dirs.push(d);
  return d;
}

describe('reflinkOntoEmpty', () => {
  it('on a filesystem without reflink: false, the destination untouched, nothing left beside it', async (ctx) => {
    const dir = folder();
    if (![EXT4_MAGIC, TMPFS_MAGIC].includes(statfsSync(dir).type)) ctx.skip('the temp directory may support reflink');
    const src = path.join(dir, 'src');
    const dst = path.join(dir, 'dst');
    writeFileSync(src, Buffer.alloc(100_000, 7));
    writeFileSync(dst, '');
    chmodSync(dst, 0o640);
    const before = statSync(dst);
    expect(await reflinkOntoEmpty(src, dst)).toBe(false);
    const after = statSync(dst);
    expect([after.ino, after.mode, after.size]).toEqual([before.ino, before.mode, 0]);
    expect(readdirSync(dir).sort()).toEqual(['dst', 'src']);
  });

  it('never touches a destination that has content, nor a file onto itself', async () => {
    const dir = folder();
    const src = path.join(dir, 'src');
    const dst = path.join(dir, 'dst');
    writeFileSync(src, 'source');
    writeFileSync(dst, 'kept');
    expect(await reflinkOntoEmpty(src, dst)).toBe(false);
    expect(statSync(dst).size).toBe(4);
    expect(await reflinkOntoEmpty(src, src)).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(['dst', 'src']);
  });
});
