/** What the journal borrows from the PayloadService: one payload's block path, and its turn. */

/** One payload's blocks, through the PayloadService's write-back cache. */
export interface PayloadIo {
  read(offset: number, length: number, into?: Buffer): Promise<Buffer>;
  write(data: Buffer, offset: number): Promise<void>;
  /** Hands what is buffered to the block store, without making it durable there (`flush` does). */
  writeBack(): Promise<void>;
  /** Writes back what is buffered and makes the payload's blocks durable. */
  flush(): Promise<void>;
  truncate(size: number): Promise<void>;
  /** Whether the bytes can go straight to blocks that exist (WriteBackCache.inPlace). */
  inPlace(offset: number, length: number): Promise<boolean>;
}

/** Runs `op` on a payload's block path, ordered with the payload's other operations. */
export type PayloadRunner = (share: string, payloadId: string, op: (io: PayloadIo) => Promise<void>) => Promise<void>;
