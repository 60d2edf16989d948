/**
 * The block file names of each shard directory, by payload, read from disk once per shard
 * and then kept up to date by the store's own creations and removals (one process per root).
 * Deleting or listing a payload's blocks then costs no directory scan: REMOVE of a file
 * scanned its whole shard (a few hundred names, tens of microseconds) to find its blocks.
 */
import { readdir } from 'node:fs/promises';
import { errno } from './file-io.ts';
import { BLOCK_SUFFIX } from './paths.ts';

/** Block file names by their payload (the name up to its first dot). */
type Names = Map<string, Set<string>>;

interface Shard {
  names: Names | undefined;
  loading: Promise<Names> | undefined;
  /** Changes made while the directory is being read: name -> present; applied after it. */
  during: Map<string, boolean>;
}

export class ShardIndex {
  private readonly shards = new Map<string, Shard>();

  /** The block file names of payload `segment` in shard directory `dir`. */
  async namesOf(dir: string, segment: string): Promise<ReadonlySet<string>> {
    const shard = this.shard(dir);
    const names = shard.names ?? (await (shard.loading ??= this.load(dir, shard)));
    return names.get(segment) ?? NONE;
  }

  /** `name` now exists in `dir`: call once the file is there. */
  added(dir: string, name: string): void {
    this.note(dir, name, true);
  }

  /** `name` no longer exists in `dir`: call once it is gone. */
  removed(dir: string, name: string): void {
    this.note(dir, name, false);
  }

  private note(dir: string, name: string, present: boolean): void {
    const shard = this.shards.get(dir);
    if (shard === undefined) return; // never read: the directory itself is the truth
    if (shard.names !== undefined) apply(shard.names, name, present);
    else shard.during.set(name, present);
  }

  private shard(dir: string): Shard {
    let shard = this.shards.get(dir);
    if (shard === undefined)
      this.shards.set(dir, (shard = { names: undefined, loading: undefined, during: new Map() }));
    return shard;
  }

  private async load(dir: string, shard: Shard): Promise<Names> {
    try {
      const names: Names = new Map();
      for (const name of await readShard(dir)) if (name.endsWith(BLOCK_SUFFIX)) apply(names, name, true);
      // A change noted during the read happened after the file's creation or removal; the
      // read may or may not have seen it, the note is the newer word.
      for (const [name, present] of shard.during) apply(names, name, present);
      shard.during.clear();
      shard.names = names;
      return names;
    } catch (err) {
      // Read again next time; no names kept half known.
      this.shards.delete(dir);
      throw err;
    }
  }
}

const NONE: ReadonlySet<string> = new Set();

function apply(names: Names, name: string, present: boolean): void {
  const segment = name.slice(0, name.indexOf('.'));
  let set = names.get(segment);
  if (present) {
    if (set === undefined) names.set(segment, (set = new Set()));
    set.add(name);
  } else if (set?.delete(name) === true && set.size === 0) {
    names.delete(segment);
  }
}

async function readShard(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    if (errno(err) === 'ENOENT') return []; // a shard with no block yet
    throw err;
  }
}
