import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FolderIndex, type FolderNode } from './folder-index.ts';
import { NO_OVERLAY } from './nodes.ts';

const node = (fileid: number): FolderNode => ({
  fileid,
  generation: fileid * 7,
  dev: 1n,
  ino: BigInt(1000 + fileid),
  btime: 0n,
  parent: 1,
  name: `f${fileid}`,
  ...NO_OVERLAY,
});

describe('FolderIndex', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('never gives a fileid again, across restarts and after the newest rows are deleted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dittofs-folder-index-'));
    dirs.push(dir);
    const path = join(dir, 'index.db');
    let index = FolderIndex.open(path);
    expect(index.maxFileIdEver()).toBe(0);
    for (let id = 1; id <= 5; id++) index.put(node(id));
    await index.sync();
    index.delete(5);
    index.delete(4);
    await index.close();

    index = FolderIndex.open(path);
    const first = index.maxFileIdEver();
    expect(first).toBeGreaterThanOrEqual(5);
    expect(index.get(3)?.name).toBe('f3');
    expect(index.get(5)).toBeUndefined();
    // Ids handed out after the restart are above `first`; their commit moves the mark past them.
    index.put(node(first + 1));
    index.put(node(first + 2000));
    await index.close();

    index = FolderIndex.open(path);
    expect(index.maxFileIdEver()).toBeGreaterThanOrEqual(first + 2000);
    index.delete(first + 2000);
    await index.close();
    index = FolderIndex.open(path);
    expect(index.maxFileIdEver()).toBeGreaterThanOrEqual(first + 2000);
    await index.close();
  });
});
