import { describe, expect, it } from 'vitest';
import { MemoryBlockStore } from './memory-store.ts';

describe('MemoryBlockStore', () => {
  it('keeps a view a reader holds as it was: a later patch writes a copy', async () => {
    const store = new MemoryBlockStore();
    await store.put('p/0/0', Buffer.from('aaaaaaaa'));
    const view = (await store.get('p/0/0'))!;
    await store.patch('p/0/0', [{ offset: 2, data: Buffer.from('BB') }]);
    expect(view.toString()).toBe('aaaaaaaa');
    expect((await store.get('p/0/0'))!.toString()).toBe('aaBBaaaa');
  });

  it('grows a block by appends and reports its exact length and the bytes stored', async () => {
    const store = new MemoryBlockStore();
    const chunk = Buffer.alloc(4096, 7);
    for (let i = 0; i < 64; i++) await store.patch('p/0/0', [{ offset: i * 4096, data: chunk }]);
    const whole = (await store.get('p/0/0'))!;
    expect(whole.length).toBe(64 * 4096);
    expect(whole.every((b) => b === 7)).toBe(true);
    expect((await store.get('p/0/0', 64 * 4096 - 10, 100))!.length).toBe(10);
    expect((await store.get('p/0/0', 64 * 4096 + 5))!.length).toBe(0);
    expect(await store.stats()).toEqual({ blocks: 1, bytes: 64 * 4096 });
    await store.patch('p/0/0', [{ offset: 0, data: Buffer.from('x') }]);
    expect(await store.stats()).toEqual({ blocks: 1, bytes: 64 * 4096 });
    await store.delete('p/0/0');
    expect(await store.stats()).toEqual({ blocks: 0, bytes: 0 });
  });
});
