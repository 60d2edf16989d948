/**
 * The offloader's index (SQLite, one file per store): which content (sha256) each block key
 * holds, and for each content whether it is in S3 yet (pending until uploaded), whether it
 * is in the local cache, and when it was last used (LRU). It persists the pending state, so
 * a dfs killed during uploads resumes them after a restart.
 */
import BetterSqlite3 from 'better-sqlite3';
import type { Database, Statement } from 'better-sqlite3';

export interface ContentRow {
  hash: string;
  size: number;
  uploaded: number;
  cached: number;
  used: number;
  released: number | null;
}

export class OffloadIndex {
  private readonly db: Database;
  private readonly q: Record<string, Statement>;

  constructor(file: string) {
    this.db = new BetterSqlite3(file);
    this.db.pragma('journal_mode = WAL');
    // Commits reach the disk at `makeDurable` (a crash of the process loses nothing; power loss
    // only what no sync covered, like the cache files themselves).
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS refs (key TEXT PRIMARY KEY, hash TEXT NOT NULL) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS refs_hash ON refs(hash);
      CREATE TABLE IF NOT EXISTS contents (
        hash TEXT PRIMARY KEY, size INTEGER NOT NULL, uploaded INTEGER NOT NULL,
        cached INTEGER NOT NULL, used INTEGER NOT NULL, released INTEGER) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS strays (
        hash TEXT PRIMARY KEY, first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL) WITHOUT ROWID;`);
    const p = (sql: string): Statement => this.db.prepare(sql);
    this.q = {
      ref: p('SELECT hash FROM refs WHERE key = ?'),
      setRef: p('INSERT INTO refs (key, hash) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET hash = excluded.hash'),
      delRef: p('DELETE FROM refs WHERE key = ?'),
      refsUnder: p("SELECT key, hash FROM refs WHERE key >= ? AND key < ? || '~'"),
      refCount: p('SELECT count(*) AS n FROM refs WHERE hash = ?'),
      content: p('SELECT * FROM contents WHERE hash = ?'),
      addContent: p('INSERT INTO contents (hash, size, uploaded, cached, used, released) VALUES (?, ?, 0, 1, ?, NULL)'),
      setCached: p('UPDATE contents SET cached = ?, used = ? WHERE hash = ?'),
      setUploaded: p('UPDATE contents SET uploaded = 1 WHERE hash = ?'),
      touch: p('UPDATE contents SET used = ? WHERE hash = ?'),
      release: p('UPDATE contents SET released = ? WHERE hash = ?'),
      unrelease: p('UPDATE contents SET released = NULL WHERE hash = ?'),
      delContent: p('DELETE FROM contents WHERE hash = ?'),
      pending: p('SELECT hash, size FROM contents WHERE uploaded = 0'),
      cachedBytes: p('SELECT coalesce(sum(size), 0) AS n FROM contents WHERE cached = 1'),
      evictable: p('SELECT hash, size FROM contents WHERE cached = 1 AND uploaded = 1 ORDER BY used LIMIT 64'),
      garbage: p(
        'SELECT * FROM contents c WHERE NOT EXISTS (SELECT 1 FROM refs r WHERE r.hash = c.hash) AND coalesce(released, used) <= ?',
      ),
      totals: p(
        'SELECT count(*) AS blocks, coalesce(sum(c.size), 0) AS bytes FROM refs r JOIN contents c ON c.hash = r.hash',
      ),
      stored: p('SELECT count(*) AS blocks, coalesce(sum(size), 0) AS bytes FROM contents'),
      seeStray: p(
        'INSERT INTO strays (hash, first_seen, last_seen) VALUES (?, ?, ?) ON CONFLICT(hash) DO UPDATE SET last_seen = excluded.last_seen RETURNING first_seen',
      ),
      dropStray: p('DELETE FROM strays WHERE hash = ?'),
      forgetStrays: p('DELETE FROM strays WHERE last_seen < ?'),
      meta: p('SELECT value FROM meta WHERE name = ?'),
      setMeta: p('INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value'),
    };
  }

  hashOf(key: string): string | undefined {
    return (this.q['ref']!.get(key) as { hash: string } | undefined)?.hash;
  }

  content(hash: string): ContentRow | undefined {
    return this.q['content']!.get(hash) as ContentRow | undefined;
  }

  /** Points `key` at `hash` (adding the content, pending and cached, if new); the content it held before is released. */
  setRef(key: string, hash: string, size: number, now: number): { added: boolean } {
    return this.db.transaction(() => {
      const before = this.hashOf(key);
      let added = false;
      if (this.content(hash) === undefined) {
        this.q['addContent']!.run(hash, size, now);
        added = true;
      } else this.q['unrelease']!.run(hash);
      this.q['setRef']!.run(key, hash);
      if (before !== undefined && before !== hash) this.releaseIfUnused(before, now);
      return { added };
    })();
  }

  deleteRef(key: string, now: number): void {
    this.db.transaction(() => {
      const before = this.hashOf(key);
      this.q['delRef']!.run(key);
      if (before !== undefined) this.releaseIfUnused(before, now);
    })();
  }

  refsUnder(prefix: string): { key: string; hash: string }[] {
    return this.q['refsUnder']!.all(prefix, prefix) as { key: string; hash: string }[];
  }

  deleteRefsUnder(prefix: string, now: number): void {
    this.db.transaction(() => {
      for (const r of this.refsUnder(prefix)) this.deleteRef(r.key, now);
    })();
  }

  referenced(hash: string): boolean {
    return (this.q['refCount']!.get(hash) as { n: number }).n > 0;
  }

  setCached(hash: string, cached: boolean, now: number): void {
    this.q['setCached']!.run(cached ? 1 : 0, now, hash);
  }

  setUploaded(hash: string): void {
    this.q['setUploaded']!.run(hash);
  }

  /** Records when each content was last read (one transaction). */
  touchAll(used: ReadonlyMap<string, number>): void {
    this.db.transaction(() => {
      for (const [hash, at] of used) this.q['touch']!.run(at, hash);
    })();
  }

  deleteContent(hash: string): void {
    this.q['delContent']!.run(hash);
  }

  pending(): { hash: string; size: number }[] {
    return this.q['pending']!.all() as { hash: string; size: number }[];
  }

  cachedBytes(): number {
    return (this.q['cachedBytes']!.get() as { n: number }).n;
  }

  /** Uploaded contents in the cache, least recently used first. */
  evictable(): { hash: string; size: number }[] {
    return this.q['evictable']!.all() as { hash: string; size: number }[];
  }

  /** Contents no key references since at least `before` (ms). */
  garbage(before: number): ContentRow[] {
    return this.q['garbage']!.all(before) as ContentRow[];
  }

  /** Bytes the keys reference (as if every key had its own copy) and bytes actually stored. */
  totals(): { logical: { blocks: number; bytes: number }; stored: { blocks: number; bytes: number } } {
    return {
      logical: this.q['totals']!.get() as { blocks: number; bytes: number },
      stored: this.q['stored']!.get() as { blocks: number; bytes: number },
    };
  }

  /**
   * An object of the bucket that no content row knows, seen by a listing at `now`: returns
   * when it was first seen so (strays are deleted once seen for the GC grace period).
   */
  seeStray(hash: string, now: number): number {
    return (this.q['seeStray']!.get(hash, now, now) as { first_seen: number }).first_seen;
  }

  dropStray(hash: string): void {
    this.q['dropStray']!.run(hash);
  }

  /** Strays a listing from `listedAt` on no longer saw (gone, or known again). */
  forgetStrays(listedAt: number): void {
    this.q['forgetStrays']!.run(listedAt);
  }

  meta(name: string): string | undefined {
    return (this.q['meta']!.get(name) as { value: string } | undefined)?.value;
  }

  setMeta(name: string, value: string): void {
    this.q['setMeta']!.run(name, value);
  }

  /** Makes every commit so far durable: one fsync of the SQLite log, by a commit in FULL mode. */
  makeDurable(): void {
    this.db.pragma('synchronous = FULL');
    try {
      this.setMeta('synced', String(Date.now()));
    } finally {
      this.db.pragma('synchronous = NORMAL');
    }
  }

  close(): void {
    this.db.close();
  }

  private releaseIfUnused(hash: string, now: number): void {
    if (!this.referenced(hash)) this.q['release']!.run(now, hash);
  }
}
