/**
 * Which files are sparse (MS-FSCC §2.6 FILE_ATTRIBUTE_SPARSE_FILE, set and cleared by
 * FSCTL_SET_SPARSE): one set per adapter, so every open and QUERY_DIRECTORY see it. It is
 * kept in memory for the adapter's life, not in the metadata store: the flag changes what
 * FSCTL_QUERY_ALLOCATED_RANGES reports and how QUERY_INFO shows the file, never the content.
 * A file is known by its share, file id and creation time, so a reused id (an inode number
 * in a folder share) is not taken for the file that had it before.
 */
import type { FileAttr } from '../../metadata/types.ts';

export const FILE_ATTRIBUTE_SPARSE_FILE = 0x200;

type FileIdentity = Pick<FileAttr, 'fileid' | 'btime'>;

export class SparseFiles {
  private readonly keys = new Set<string>();

  private static key(share: string, attr: FileIdentity): string {
    return `${share}\0${attr.fileid}\0${attr.btime.sec}.${attr.btime.nsec}`;
  }

  has(share: string, attr: FileIdentity): boolean {
    return this.keys.size > 0 && this.keys.has(SparseFiles.key(share, attr));
  }

  set(share: string, attr: FileIdentity, sparse: boolean): void {
    if (sparse) this.keys.add(SparseFiles.key(share, attr));
    else this.keys.delete(SparseFiles.key(share, attr));
  }

  /** The attribute bit to add to a file's FileAttributes. */
  attributes(share: string | undefined, attr: FileIdentity): number {
    return share !== undefined && this.has(share, attr) ? FILE_ATTRIBUTE_SPARSE_FILE : 0;
  }
}
