/** The content operations protocol handlers may call; content is addressed by share + payloadId. */
export interface PayloadOps {
  /**
   * Exactly `length` bytes from `offset`; holes and bytes past the stored end read as zeros.
   * The result may be a block store's own memory: send it, never modify it. Where bytes are
   * copied, they go to `into` (at least `length` bytes) if given, and the result is a view of it.
   */
  readAt(share: string, payloadId: string, offset: number, length: number, into?: Buffer): Promise<Buffer>;
  /** `data` is copied: the caller may reuse it once this resolves. */
  writeAt(share: string, payloadId: string, data: Buffer, offset: number): Promise<void>;
  /** Drops content past `size` (a later extension reads zeros there). */
  truncate(share: string, payloadId: string, size: number): Promise<void>;
  /** Durable when it returns: everything written before is on stable storage. */
  flush(share: string, payloadId: string): Promise<void>;
  /** Whether other dfs instances serve the share's content too (BlockStore.sharedByInstances). */
  sharedByInstances(share: string): boolean;
  delete(share: string, payloadId: string): Promise<void>;
  /**
   * Deletes, in the background, the content of a file nothing can reach any more (its last
   * name is gone): the caller need not wait. Unregistering the share waits for it.
   */
  release(share: string, payloadId: string): Promise<void>;
  /**
   * Makes the empty file `dstPayloadId` share all of `srcPayloadId`'s blocks (a whole-file
   * clone, NFSv4.2 CLONE). False, with nothing changed, where the store cannot share blocks.
   */
  cloneWhole(share: string, srcPayloadId: string, dstPayloadId: string): Promise<boolean>;
}

/**
 * Content a share keeps in its own files (a folder share), served straight from them
 * instead of through the block cache: PayloadOps for one share. Same promises as PayloadOps.
 */
export interface DirectContent {
  readAt(payloadId: string, offset: number, length: number, into?: Buffer): Promise<Buffer>;
  writeAt(payloadId: string, data: Buffer, offset: number): Promise<void>;
  truncate(payloadId: string, size: number): Promise<void>;
  flush(payloadId: string): Promise<void>;
  delete(payloadId: string): Promise<void>;
  /** See PayloadOps.cloneWhole; absent where the content cannot share blocks. */
  cloneWhole?(srcPayloadId: string, dstPayloadId: string): Promise<boolean>;
}
