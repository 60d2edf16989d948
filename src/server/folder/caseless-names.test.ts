import { appendFileSync, chmodSync, mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CaselessNames } from './caseless-names.ts';

/** Waits until `find` gives `want` (a watch event is delivered a moment after the change). */
async function eventually(find: () => Promise<string | undefined>, want: string | undefined): Promise<void> {
  const deadline = Date.now() + 3000;
  while ((await find()) !== want && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  expect(await find()).toBe(want);
}

describe('CaselessNames', () => {
  let dir: string;
  let names: CaselessNames;
  const DIR_ID = 7;
  const find = (name: string): Promise<string | undefined> => names.find(DIR_ID, dir, name);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'dittofs-caseless-'));
    writeFileSync(join(dir, 'Holiday Photo.JPG'), 'x');
    names = new CaselessNames();
  });
  afterEach(() => {
    names.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds a name in another case, and nothing for a name not there', async () => {
    expect(await find('holiday photo.jpg')).toBe('Holiday Photo.JPG');
    expect(await find('HOLIDAY PHOTO.JPG')).toBe('Holiday Photo.JPG');
    expect(await find('other.jpg')).toBeUndefined();
  });

  it("keeps the names read: a lookup does not read the directory again (another program's new name shows once its event arrives)", async () => {
    expect(await find('new.txt')).toBeUndefined();
    writeFileSync(join(dir, 'NEW.txt'), 'y');
    // Before the watch's event is delivered, the kept names are what answers.
    expect(await find('new.txt')).toBeUndefined();
    await eventually(() => find('new.txt'), 'NEW.txt');
  });

  it("follows another program's renames and removals", async () => {
    expect(await find('holiday photo.jpg')).toBe('Holiday Photo.JPG');
    renameSync(join(dir, 'Holiday Photo.JPG'), join(dir, 'Beach.jpg'));
    await eventually(() => find('holiday photo.jpg'), undefined);
    await eventually(() => find('BEACH.JPG'), 'Beach.jpg');
    unlinkSync(join(dir, 'Beach.jpg'));
    await eventually(() => find('beach.jpg'), undefined);
  });

  it('keeps a name while its file is written and chmod-ed, and drops it when it goes', async () => {
    expect(await find('holiday photo.jpg')).toBe('Holiday Photo.JPG');
    const file = join(dir, 'Holiday Photo.JPG');
    for (let i = 0; i < 5; i++) appendFileSync(file, 'more');
    chmodSync(file, 0o600);
    unlinkSync(file);
    await eventually(() => find('holiday photo.jpg'), undefined);
    writeFileSync(file, 'back');
    await eventually(() => find('HOLIDAY PHOTO.JPG'), 'Holiday Photo.JPG');
  });

  it("applies dfs's own changes at once, before any event", async () => {
    expect(await find('made.txt')).toBeUndefined();
    writeFileSync(join(dir, 'Made.txt'), 'z');
    names.added(DIR_ID, 'Made.txt');
    expect(await find('MADE.TXT')).toBe('Made.txt');
    unlinkSync(join(dir, 'Made.txt'));
    names.removed(DIR_ID, 'Made.txt');
    expect(await find('made.txt')).toBeUndefined();
  });

  it('reads the directory again when it is looked up at another path (it moved)', async () => {
    expect(await find('holiday photo.jpg')).toBe('Holiday Photo.JPG');
    const moved = `${dir}-moved`;
    renameSync(dir, moved);
    writeFileSync(join(moved, 'After.txt'), 'w');
    try {
      expect(await names.find(DIR_ID, moved, 'after.TXT')).toBe('After.txt');
    } finally {
      renameSync(moved, dir);
    }
  });
});
