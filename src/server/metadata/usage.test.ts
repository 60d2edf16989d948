import { describe, expect, it } from 'vitest';
import { ROOT, setup } from './testing.ts';

const guarded = { kind: 'guarded' } as const;

describe('MetadataService.usage: what a share holds', () => {
  it('sums regular files down the tree, a hard-linked file once, unstable writes included; stops at the limit', async () => {
    const f = await setup();
    const a = await f.svc.create(ROOT, f.root, 'a', {}, guarded);
    await f.svc.commitWrite(ROOT, a.handle, 1000);
    const dir = await f.svc.mkdir(ROOT, f.root, 'd', {});
    const sub = await f.svc.mkdir(ROOT, dir.handle, 'e', {});
    const b = await f.svc.create(ROOT, sub.handle, 'b', {}, guarded);
    await f.svc.commitWrite(ROOT, b.handle, 234, false); // unstable: counted as clients see it
    await f.svc.link(ROOT, b.handle, f.root, 'b-again');
    await f.svc.symlink(ROOT, f.root, 'l', 'a', {});
    expect(await f.svc.usage('/export', 1000)).toEqual({ bytes: 1234, files: 2, complete: true });
    const partial = await f.svc.usage('/export', 2);
    expect(partial?.complete).toBe(false);
    expect(await f.svc.usage('/nope', 1000)).toBeUndefined();
  });
});
