/**
 * Where each open file of a share lives (its path from the share root), shared by every
 * connection, for MS-FSA §2.1.5.14.11: a directory with an open file anywhere below it cannot
 * be renamed (ACCESS_DENIED, as Windows and Samba). Kept per file, not per open, so a rename
 * through one open moves the path every open of the file sees. Because such renames are
 * refused, the paths of the files below a directory never go stale through SMB.
 */
import { foldName } from '../../metadata/store.ts';

interface OpenFile {
  share: string;
  /** foldName of the path: names are compared as a case-insensitive client sees them. */
  path: string;
  opens: number;
}

export class OpenPaths {
  private readonly files = new Map<string, OpenFile>();

  /** One more open of the file `key` (shareModeKey) at `path`. */
  add(key: string, share: string, path: string): void {
    const file = this.files.get(key);
    if (file) file.opens++;
    else this.files.set(key, { share, path: foldName(path), opens: 1 });
  }

  /** One open of the file `key` ended. */
  remove(key: string): void {
    const file = this.files.get(key);
    if (file && --file.opens === 0) this.files.delete(key);
  }

  /** The file `key` was renamed to `path`. */
  moved(key: string, path: string): void {
    const file = this.files.get(key);
    if (file) file.path = foldName(path);
  }

  /** Whether a file below the directory at `dirPath` of `share` is open. */
  openBelow(share: string, dirPath: string): boolean {
    const prefix = `${foldName(dirPath)}\\`;
    for (const file of this.files.values()) if (file.share === share && file.path.startsWith(prefix)) return true;
    return false;
  }
}
