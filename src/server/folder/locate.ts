/**
 * Finding a file that is no longer where the index last saw it (renamed or moved in the
 * folder by another program): first in the directory it was in, then breadth-first from the
 * share root, visiting at most `maxScan` entries so a huge tree cannot stall the server.
 * Only the same file matches (device, inode, birth time). A file not found is forgotten, so
 * its handles are stale for good; when the search stopped at the limit and the file system
 * reports birth times, the row is kept (a later search may still find the file, and a reused
 * inode can never match it).
 */
import { readdirSync, type BigIntStats } from 'node:fs';
import type { FolderNode } from './folder-index.ts';
import type { NodeTable } from './nodes.ts';
import { identityOf, lstatOrUndefined, sameFile } from './stat.ts';

export interface Located {
  parent: number;
  name: string;
  path: string;
  st: BigIntStats;
}

/** A directory met by the search; its fileid is looked up only if the file is found below it. */
interface Visit {
  path: string;
  fileid: number | undefined;
  up: Visit | undefined;
  name: string;
}

function namesIn(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

export function locate(table: NodeTable, node: FolderNode): Located | undefined {
  const parent = node.parent === node.fileid ? undefined : table.resolve(node.parent);
  if (parent?.st.isDirectory()) {
    for (const name of namesIn(parent.path)) {
      const path = `${parent.path}/${name}`;
      const st = lstatOrUndefined(path);
      if (st !== undefined && sameFile(node, identityOf(st))) return { parent: node.parent, name, path, st };
    }
  }
  const queue: Visit[] = [{ path: table.rootPath, fileid: table.rootId, up: undefined, name: '' }];
  let budget = table.maxScan;
  for (let i = 0; i < queue.length; i++) {
    const dir = queue[i]!;
    for (const name of namesIn(dir.path)) {
      if (budget-- <= 0) {
        if (node.btime === 0n) table.forget(node.fileid);
        return undefined;
      }
      const path = `${dir.path}/${name}`;
      const st = lstatOrUndefined(path);
      if (st === undefined) continue;
      if (sameFile(node, identityOf(st))) {
        const parentId = fileidOf(table, dir);
        return parentId === undefined ? undefined : { parent: parentId, name, path, st };
      }
      if (st.isDirectory()) queue.push({ path, fileid: undefined, up: dir, name });
    }
  }
  table.forget(node.fileid);
  return undefined;
}

/** The fileid of a directory the search went through (indexing the chain down to it). */
function fileidOf(table: NodeTable, v: Visit): number | undefined {
  if (v.fileid !== undefined) return v.fileid;
  const up = v.up === undefined ? undefined : fileidOf(table, v.up);
  const st = lstatOrUndefined(v.path);
  if (up === undefined || st === undefined) return undefined;
  v.fileid = table.nodeFor(st, up, v.name).fileid;
  return v.fileid;
}
