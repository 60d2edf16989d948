/**
 * Blocking lock requests waiting on a file (SMB LOCK without FAIL_IMMEDIATELY, NLM LOCK with
 * block = true). Each release on a file retries its waits in the order they began, so the
 * first waiter whose locks fit gets them; a cancelled wait settles false.
 */
import type { ByteRangeLock, LockRequest } from './lock-manager.ts';

export interface LockWaiter {
  readonly file: string;
  readonly owner: string;
  readonly requests: readonly LockRequest[];
  /** True once the locks are held; false when the wait was cancelled. */
  readonly granted: Promise<boolean>;
  cancel(): void;
}

type TryLock = (file: string, owner: string, requests: readonly LockRequest[]) => ByteRangeLock | undefined;

interface Entry extends LockWaiter {
  settle(granted: boolean): void;
}

export class LockWaiters {
  private readonly byFile = new Map<string, Entry[]>();

  constructor(private readonly tryLock: TryLock) {}

  add(file: string, owner: string, requests: readonly LockRequest[]): LockWaiter {
    let settle!: (granted: boolean) => void;
    const granted = new Promise<boolean>((resolve) => (settle = resolve));
    const entry: Entry = {
      file,
      owner,
      requests,
      granted,
      settle,
      cancel: () => {
        if (this.remove(entry)) settle(false);
      },
    };
    const list = this.byFile.get(file);
    if (list) list.push(entry);
    else this.byFile.set(file, [entry]);
    return entry;
  }

  find(file: string, owner: string): LockWaiter | undefined {
    return this.byFile.get(file)?.find((w) => w.owner === owner);
  }

  /** Grants, in order, every wait on `file` whose locks can now be taken. */
  retry(file: string): void {
    const list = this.byFile.get(file);
    if (!list) return;
    for (const w of [...list]) {
      if (this.tryLock(w.file, w.owner, w.requests) !== undefined) continue;
      // tryLock released nothing, so no nested retry ran; the entry is still listed.
      this.remove(w);
      w.settle(true);
    }
  }

  cancelWhere(matches: (w: LockWaiter) => boolean): void {
    for (const list of [...this.byFile.values()]) for (const w of [...list]) if (matches(w)) w.cancel();
  }

  private remove(entry: Entry): boolean {
    const list = this.byFile.get(entry.file);
    const i = list?.indexOf(entry) ?? -1;
    if (!list || i < 0) return false;
    list.splice(i, 1);
    if (list.length === 0) this.byFile.delete(entry.file);
    return true;
  }
}
