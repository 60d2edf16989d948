/**
 * A set of file paths that also lists those of one directory without a scan: a COMMIT
 * syncs one payload's block files (all in one shard directory) while thousands of other
 * files may be pending, and filtering them all made each COMMIT cost O(pending).
 */
import { dirname } from 'node:path';

const NONE: ReadonlySet<string> = new Set();

export class PathsByDir extends Set<string> {
  private readonly byDir = new Map<string, Set<string>>();

  override add(path: string): this {
    if (super.has(path)) return this;
    super.add(path);
    const dir = dirname(path);
    let paths = this.byDir.get(dir);
    if (paths === undefined) this.byDir.set(dir, (paths = new Set()));
    paths.add(path);
    return this;
  }

  override delete(path: string): boolean {
    if (!super.delete(path)) return false;
    const dir = dirname(path);
    const paths = this.byDir.get(dir);
    paths?.delete(path);
    if (paths?.size === 0) this.byDir.delete(dir);
    return true;
  }

  override clear(): void {
    super.clear();
    this.byDir.clear();
  }

  /** The paths whose directory is `dir`. */
  inDir(dir: string): ReadonlySet<string> {
    return this.byDir.get(dir) ?? NONE;
  }
}
