import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A fresh private directory under the OS temp dir. */
export function makeTmpDir(prefix = 'dittofs-e2e-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

/** Removes a directory tree, never throwing (best effort cleanup in afterAll hooks). */
export function removeTmpDir(dir: string | undefined): void {
  if (!dir) return;
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch {
    /* best effort */
  }
}
