import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WalSync } from './wal-sync.ts';

describe('WalSync', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dittofs-wal-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('shares one sync among the callers that arrive while one runs', async () => {
    const path = join(dir, 'db-wal');
    await writeFile(path, 'frames');
    const wal = new WalSync(path);
    const first = wal.sync();
    const waiting = Array.from({ length: 10 }, () => wal.sync());
    expect(new Set(waiting).size).toBe(1);
    expect(waiting[0]).not.toBe(first);
    await Promise.all([first, ...waiting]);
    await wal.close();
  });

  it('fails while the WAL cannot be opened, then recovers', async () => {
    const path = join(dir, 'db-wal');
    const wal = new WalSync(path);
    await expect(wal.sync()).rejects.toMatchObject({ code: 'ENOENT' });
    await writeFile(path, 'frames');
    await wal.sync();
    await wal.close();
  });
});
