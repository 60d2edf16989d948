/**
 * Mapping between FileRecord and the `files` row of the SQL stores (SQLite, PostgreSQL):
 * statements run in array mode, so rows are arrays in column order.
 */
import type { FileRecord } from '../store.ts';
import type { FileType } from '../types.ts';

/** Columns of `files` besides the key, in the order `recordParams` binds them. */
export const DATA_COLUMNS =
  'root, parent, type, mode, nlink, uid, gid, size, used, rdev_major, rdev_minor, ' +
  'atime_s, atime_ns, mtime_s, mtime_ns, ctime_s, ctime_ns, btime_s, btime_ns, payload_id, target, verifier, dos_attributes';

/** Column order `rowRecord` reads. */
export const FILE_COLUMNS = `fileid, ${DATA_COLUMNS}, generation`;

/** FILE_COLUMNS of the table aliased `alias` in a join. */
export function fileColumnsOf(alias: string): string {
  return FILE_COLUMNS.split(', ')
    .map((c) => `${alias}.${c}`)
    .join(', ');
}

/**
 * DATA_COLUMNS values followed by the fileid and generation, so one array serves
 * `INSERT (DATA_COLUMNS, fileid, generation)` and `UPDATE ... WHERE fileid = ? AND generation = ?`.
 */
export function recordParams(rec: FileRecord): unknown[] {
  const a = rec.attr;
  return [
    rec.root,
    rec.parent,
    a.type,
    a.mode,
    a.nlink,
    a.uid,
    a.gid,
    a.size,
    a.used,
    a.rdev.major,
    a.rdev.minor,
    a.atime.sec,
    a.atime.nsec,
    a.mtime.sec,
    a.mtime.nsec,
    a.ctime.sec,
    a.ctime.nsec,
    a.btime.sec,
    a.btime.nsec,
    a.payloadId,
    rec.target,
    rec.verifier ?? null,
    a.dosAttributes,
    a.fileid,
    rec.generation,
  ];
}

/** The record whose columns start at `o` in a raw row. */
export function rowRecord(r: unknown[], o: number): FileRecord {
  const verifier = r[o + 22];
  return {
    attr: {
      fileid: r[o] as number,
      type: r[o + 3] as FileType,
      mode: r[o + 4] as number,
      nlink: r[o + 5] as number,
      uid: r[o + 6] as number,
      gid: r[o + 7] as number,
      size: r[o + 8] as number,
      used: r[o + 9] as number,
      rdev: { major: r[o + 10] as number, minor: r[o + 11] as number },
      atime: { sec: r[o + 12] as number, nsec: r[o + 13] as number },
      mtime: { sec: r[o + 14] as number, nsec: r[o + 15] as number },
      ctime: { sec: r[o + 16] as number, nsec: r[o + 17] as number },
      btime: { sec: r[o + 18] as number, nsec: r[o + 19] as number },
      payloadId: r[o + 20] as string,
      dosAttributes: r[o + 23] as number,
    },
    root: r[o + 1] as number,
    parent: r[o + 2] as number,
    generation: r[o + 24] as number,
    target: r[o + 21] as string,
    verifier: verifier === null ? undefined : (verifier as Buffer),
  };
}
