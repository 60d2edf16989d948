import { describe, expect, it } from 'vitest';
import { Access, ShareMode, ShareModeTable } from './share-modes.ts';

const ALL = ShareMode.READ | ShareMode.WRITE | ShareMode.DELETE;
const READ_ATTRIBUTES = 0x80;

describe('ShareModeTable', () => {
  it('refuses a second open the first does not share, and a first open the second does not share', () => {
    const t = new ShareModeTable();
    expect(t.acquire('f', 1n, Access.READ_DATA, ShareMode.READ)).toBe(true);
    expect(t.acquire('f', 2n, Access.WRITE_DATA, ALL)).toBe(false);
    expect(t.acquire('f', 3n, Access.READ_DATA, ShareMode.WRITE)).toBe(false);
    expect(t.acquire('f', 4n, READ_ATTRIBUTES, 0)).toBe(true);
    t.release('f', 1n);
    expect(t.acquire('f', 2n, Access.WRITE_DATA, ALL)).toBe(true);
  });

  it('lets an entry of a directory be renamed unless an open of the directory holds DELETE or does not share it', () => {
    const t = new ShareModeTable();
    expect(t.allowsRenameInside('d')).toBe(true);
    t.acquire('d', 1n, Access.READ_DATA, ALL);
    t.acquire('d', 2n, READ_ATTRIBUTES, 0);
    expect(t.allowsRenameInside('d')).toBe(true);
    t.acquire('d', 3n, Access.READ_DATA | Access.DELETE, ALL);
    expect(t.allowsRenameInside('d')).toBe(false);
    t.release('d', 3n);
    t.acquire('d', 4n, Access.READ_DATA, ShareMode.READ | ShareMode.WRITE);
    expect(t.allowsRenameInside('d')).toBe(false);
  });

  it('keeps delete-pending per file: set by one open, cleared by another, acted on at the last close', () => {
    const t = new ShareModeTable();
    t.acquire('f', 1n, Access.DELETE, ALL);
    t.acquire('f', 2n, Access.READ_DATA, ALL);
    t.setDeletePending('f', true);
    expect(t.isDeletePending('f')).toBe(true);
    t.setDeletePending('f', false);
    expect(t.release('f', 1n)).toBe(false);
    expect(t.release('f', 2n)).toBe(false);
    expect(t.isDeletePending('f')).toBe(false);

    // Delete-on-close marks the file as its open goes; the other open's close deletes it.
    t.acquire('g', 1n, Access.DELETE, ALL);
    t.acquire('g', 2n, Access.READ_DATA, ALL);
    expect(t.isDeletePending('g')).toBe(false);
    expect(t.release('g', 1n, true)).toBe(false);
    expect(t.isDeletePending('g')).toBe(true);
    expect(t.release('g', 2n)).toBe(true);
    // Pending until the deletion is done.
    expect(t.isDeletePending('g')).toBe(true);
    t.deleted('g');
    expect(t.isDeletePending('g')).toBe(false);
  });
});
