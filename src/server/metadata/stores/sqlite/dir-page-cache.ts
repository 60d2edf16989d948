/**
 * The entries (name, cookie, child id) of directory pages the SQLite store has listed, by
 * directory and the cookie the page starts after: a client lists a directory in the same
 * pages each time, so a warm READDIRPLUS page needs no SQL at all, its records coming from
 * the RecordCache (the names query alone cost ~1.5 µs an entry). Like the RecordCache it is
 * filled only by reads outside transactions (committed data), and a transaction that adds
 * or removes an entry drops its directory's pages before it commits. Bounded in entries:
 * the directories listed longest ago go first.
 */

/** A page's rows: [name, cookie, child id]. */
export type PageRow = readonly [string, number, number];

const DEFAULT_MAX_ROWS = 65536;

export class DirPageCache {
  /** By directory, then by `${afterCookie}/${limit}`. */
  private readonly dirs = new Map<number, Map<string, readonly PageRow[]>>();
  private rows = 0;

  constructor(private readonly maxRows = DEFAULT_MAX_ROWS) {}

  get(dirId: number, afterCookie: number, limit: number): readonly PageRow[] | undefined {
    return this.dirs.get(dirId)?.get(pageKey(afterCookie, limit));
  }

  set(dirId: number, afterCookie: number, limit: number, page: readonly PageRow[]): void {
    if (page.length > this.maxRows) return;
    // Taken out and put back: the directory listed last is the newest.
    let pages = this.dirs.get(dirId);
    this.dirs.delete(dirId);
    this.dirs.set(dirId, (pages ??= new Map()));
    const key = pageKey(afterCookie, limit);
    this.rows += page.length - (pages.get(key)?.length ?? 0);
    pages.set(key, page);
    for (const [id, old] of this.dirs) {
      if (this.rows <= this.maxRows) return;
      if (id === dirId) break;
      this.dropDir(id, old);
    }
    if (this.rows <= this.maxRows) return;
    // This directory alone is over the bound: keep only the page just listed.
    this.dropDir(dirId);
    this.dirs.set(dirId, new Map([[key, page]]));
    this.rows = page.length;
  }

  /** The directory's entries changed: its pages are stale. */
  dropDir(dirId: number, pages = this.dirs.get(dirId)): void {
    if (pages === undefined) return;
    for (const page of pages.values()) this.rows -= page.length;
    this.dirs.delete(dirId);
  }
}

const pageKey = (afterCookie: number, limit: number): string => `${afterCookie}/${limit}`;
