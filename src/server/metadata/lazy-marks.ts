/**
 * Files whose unstable state was last stored lazily (PersistMode 'lazy': an SMB CLOSE) and
 * may not be durable yet; a durable store of such a file syncs after it (file-io.ts). On a
 * server that takes copies over SMB for months, marks of files nobody asks to make durable
 * would pile up: past `maxMarks`, one empty durable transaction makes them all durable and
 * they go.
 */
export class LazyMarks {
  private marks = new Set<number>();
  /** Marks that a sync under way makes durable. */
  private syncing: Set<number> | undefined;

  constructor(
    /** Makes everything committed so far durable (an empty durable transaction). */
    private readonly syncAll: () => Promise<void>,
    private readonly maxMarks = 4096,
  ) {}

  get size(): number {
    return this.marks.size;
  }

  mark(fileid: number): void {
    this.marks.add(fileid);
    if (this.marks.size >= this.maxMarks && this.syncing === undefined) this.settle();
  }

  /** True if the file was marked and may not be durable yet; the caller syncs, so the mark goes. */
  take(fileid: number): boolean {
    return this.marks.delete(fileid) || this.syncing?.has(fileid) === true;
  }

  private settle(): void {
    const syncing = this.marks;
    this.syncing = syncing;
    this.marks = new Set();
    this.syncAll().then(
      () => (this.syncing = undefined),
      () => {
        // Still owed a sync: a durable store of these files must run one.
        for (const fileid of syncing) this.marks.add(fileid);
        this.syncing = undefined;
      },
    );
  }
}
