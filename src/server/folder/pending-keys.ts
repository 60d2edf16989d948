/**
 * What folder transactions are still applying, by key, so that independent ones overlap,
 * and when each key last changed. Bodies run concurrently; one that read a key another
 * transaction changed since runs again (optimistic concurrency: store.ts lets a body run
 * again). A transaction's file-system calls run on the threadpool; what a body or store read
 * would see of a change still under way waits for that change:
 * - `name(dir, n)`: what `n` in directory `dir` is (lookup, create, remove, rename);
 * - `entries(dir)`: the set of names of `dir` (listing, emptiness, case-blind search);
 * - `file(id)`: the file's attributes and place (getFile, SETATTR, link, rename).
 * Creates of different names in one directory share no key: they run together, as the
 * kernel's O_EXCL keeps each name to one of them.
 */

export const nameKey = (dir: number, name: string): string => `n${dir}/${name}`;
export const entriesKey = (dir: number): string => `e${dir}`;
export const fileKey = (id: number): string => `f${id}`;

/** Changes remembered past this many keys are pruned of those no running body can have missed. */
const MAX_VERSIONS = 4096;

export class PendingKeys {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly running = new Set<Promise<void>>();
  /** Registrations so far; `versions` holds, per key, the count at its last one. */
  private count = 0;
  private readonly versions = new Map<string, number>();

  /** The registration count now: a read made now sees every change registered so far. */
  now(): number {
    return this.count;
  }

  /** Whether a change of `key` was registered after `since` (a now()). */
  changedSince(key: string, since: number): boolean {
    return (this.versions.get(key) ?? 0) > since;
  }

  /** Forgets changes no reader can have missed: all registered up to `oldest()`, the now() of the oldest running body. */
  prune(oldest: () => number): void {
    if (this.versions.size <= MAX_VERSIONS) return;
    const before = oldest();
    for (const [k, v] of this.versions) if (v <= before) this.versions.delete(k);
  }

  get busy(): boolean {
    return this.running.size > 0;
  }

  /**
   * Settles once every change registered so far on one of `keys` has been applied;
   * undefined when none is pending (the common case: no await needed).
   */
  settled(keys: readonly string[]): Promise<void> | undefined {
    let waits: Promise<void>[] | undefined;
    for (const k of keys) {
      const t = this.tails.get(k);
      if (t !== undefined) (waits ??= []).push(t);
    }
    return waits === undefined ? undefined : Promise.all(waits).then(() => undefined);
  }

  /**
   * Runs `apply` once the changes registered before on `keys` have been applied; later
   * callers on those keys wait for it in turn. Registered at the call, synchronously.
   */
  run<T>(keys: readonly string[], apply: () => Promise<T>): Promise<T> {
    const before = this.settled(keys);
    const result = before === undefined ? apply() : before.then(apply);
    const done = result.then(
      () => undefined,
      () => undefined,
    );
    this.count++;
    for (const k of keys) {
      this.tails.set(k, done);
      this.versions.set(k, this.count);
    }
    this.running.add(done);
    void done.then(() => {
      this.running.delete(done);
      for (const k of keys) if (this.tails.get(k) === done) this.tails.delete(k);
    });
    return result;
  }

  /** Settles once nothing is being applied. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all(this.running);
  }
}
