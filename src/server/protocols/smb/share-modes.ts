/**
 * MS-SMB2 §3.3.5.9 / MS-FSA §2.1.5.1.2 share access: an open conflicts with the existing
 * opens of the same file when either one's access is not allowed by the other's ShareAccess.
 * One table per adapter, so opens on different connections see each other.
 */
export const Access = {
  READ_DATA: 0x1,
  WRITE_DATA: 0x2,
  APPEND_DATA: 0x4,
  READ_EA: 0x8,
  EXECUTE: 0x20,
  READ_ATTRIBUTES: 0x80,
  DELETE: 0x10000,
  READ_CONTROL: 0x20000,
  ACCESS_SYSTEM_SECURITY: 0x01000000,
  MAXIMUM_ALLOWED: 0x02000000,
  GENERIC_ALL: 0x10000000,
  GENERIC_EXECUTE: 0x20000000,
  GENERIC_WRITE: 0x40000000,
  GENERIC_READ: 0x80000000,
} as const;

export const INT64_MAX = 0x7fffffffffffffffn;

/** MS-DTYP §2.4.3 generic rights as the file-specific bits they stand for. */
export function mapGeneric(access: number): number {
  let a = access & 0x0fffffff;
  if (access & Access.GENERIC_READ) a |= 0x00120089;
  if (access & Access.GENERIC_WRITE) a |= 0x00120116;
  if (access & Access.GENERIC_EXECUTE) a |= 0x001200a0;
  if (access & Access.GENERIC_ALL) a |= 0x001f01ff;
  return a >>> 0;
}

/** READ needs FILE_READ_DATA (§3.3.5.12); WRITE needs FILE_WRITE_DATA or FILE_APPEND_DATA (§3.3.5.13). */
export const openCanRead = (open: { desiredAccess: number; pipe?: unknown }): boolean =>
  open.pipe !== undefined || (open.desiredAccess & (Access.READ_DATA | Access.EXECUTE)) !== 0;
export const openCanWrite = (open: { desiredAccess: number; pipe?: unknown }): boolean =>
  open.pipe !== undefined || (open.desiredAccess & (Access.WRITE_DATA | Access.APPEND_DATA)) !== 0;

export const ShareMode = { READ: 1, WRITE: 2, DELETE: 4 } as const;

interface Holder {
  id: bigint;
  access: number;
  shareAccess: number;
  /** Constrains newcomers by its ShareAccess only, whatever they share (acquire's `passive`). */
  passive: boolean;
}

/** The share-mode-relevant part of an access mask: read, write and delete. */
function kinds(access: number): number {
  let k = 0;
  if (access & (Access.READ_DATA | Access.EXECUTE | Access.GENERIC_READ | Access.GENERIC_EXECUTE | Access.GENERIC_ALL))
    k |= ShareMode.READ;
  if (access & (Access.WRITE_DATA | Access.APPEND_DATA | Access.GENERIC_WRITE | Access.GENERIC_ALL))
    k |= ShareMode.WRITE;
  if (access & (Access.DELETE | Access.GENERIC_ALL)) k |= ShareMode.DELETE;
  return k;
}

/** A file's opens, and whether it is to be deleted when the last of them closes. */
interface FileOpens {
  holders: Holder[];
  /** MS-FSA §2.1.5.14.3 DeletePending: of the file, whichever open set it. */
  deletePending: boolean;
}

export class ShareModeTable {
  private readonly files = new Map<string, FileOpens>();

  /**
   * Registers an open, or returns false when it conflicts with one already there. A `passive`
   * entry is checked against nothing and only refuses newcomers its `shareAccess` does not
   * share: a named stream's open on its file (MS-FSA §2.1.5.1.2: a stream open without
   * FILE_SHARE_DELETE keeps the file from being opened for DELETE, while the file's opens do
   * not constrain its streams' opens); it also keeps the file's last close waiting for it.
   */
  acquire(key: string, id: bigint, access: number, shareAccess: number, passive = false): boolean {
    const file = this.files.get(key) ?? { holders: [], deletePending: false };
    const mine = passive ? 0 : kinds(access);
    // An open for attributes only (a "stat open") neither checks nor constrains share modes.
    for (const h of mine === 0 ? [] : file.holders) {
      if (h.passive) {
        if ((mine & ~h.shareAccess & 7) !== 0) return false;
        continue;
      }
      const theirs = kinds(h.access);
      if (theirs === 0) continue;
      if ((mine & ~h.shareAccess & 7) !== 0 || (theirs & ~shareAccess & 7) !== 0) return false;
    }
    file.holders.push({ id, access, shareAccess, passive });
    this.files.set(key, file);
    return true;
  }

  /**
   * Ends an open. One made with delete-on-close marks the file delete-pending as it goes
   * (MS-FSA §2.1.5.4). True when it was the last open of a delete-pending file: the caller
   * deletes the file now and then calls `deleted`; until then new opens still see it pending.
   */
  release(key: string, id: bigint, deleteOnClose = false): boolean {
    const file = this.files.get(key);
    if (file === undefined) return false;
    file.holders = file.holders.filter((h) => h.id !== id);
    file.deletePending ||= deleteOnClose;
    if (file.holders.length > 0) return false;
    if (!file.deletePending) this.files.delete(key);
    return file.deletePending;
  }

  /** The delete `release` asked for is done (or failed): the file's state goes. */
  deleted(key: string): void {
    if (this.files.get(key)?.holders.length === 0) this.files.delete(key);
  }

  /** Whether the file has an open, one for attributes only too (MS-FSA: its OpenList is not empty). */
  isOpen(key: string): boolean {
    return (this.files.get(key)?.holders.length ?? 0) > 0;
  }

  /** Whether the file is to be deleted at its last close: new opens get DELETE_PENDING. */
  isDeletePending(key: string): boolean {
    return this.files.get(key)?.deletePending ?? false;
  }

  /** FileDispositionInformation(Ex) through one of the file's opens sets or clears it for the file. */
  setDeletePending(key: string, pending: boolean): void {
    const file = this.files.get(key);
    if (file !== undefined) file.deletePending = pending;
  }

  /**
   * Whether the opens of a directory let an entry in it be renamed (MS-FSA §2.1.5.14.11, as
   * Windows does it): not while one of them holds DELETE access or refuses to share delete.
   * Opens for attributes only do not count.
   */
  allowsRenameInside(key: string): boolean {
    return (this.files.get(key)?.holders ?? []).every((h) => {
      const theirs = kinds(h.access);
      return theirs === 0 || ((theirs & ShareMode.DELETE) === 0 && (h.shareAccess & ShareMode.DELETE) !== 0);
    });
  }
}
