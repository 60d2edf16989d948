/**
 * Folder transaction bodies take turns: one runs at a time, as they did when the store ran
 * one transaction at a time, so requests queued behind a body pile up and are stored
 * together (unstable writes of one file, metadata/file-io.ts). A body gives up its turn while
 * it waits for the threadpool (an lstat: folder-tx.ts), and takes a turn again after; what
 * another body changed meanwhile makes it run again (pending-keys.ts).
 */
export class Turns {
  private tail: Promise<void> = Promise.resolve();

  /** Resolves with the function that ends the turn, once every turn taken before has ended. */
  take(): Promise<() => void> {
    let end!: () => void;
    const ended = new Promise<void>((resolve) => (end = resolve));
    const mine = this.tail.then(() => end);
    this.tail = ended;
    return mine;
  }
}
