/**
 * The content hash the offloader addresses blocks by (`cas/<sha256>`): SHA-256, which the
 * CPU's SHA extensions make about as fast as any well-kept hash, and which S3's SigV4 needs
 * anyway (the upload passes it on instead of hashing again). A block is hashed on a worker
 * thread, so the event loop that serves the clients spends nothing on it: blocks from the
 * write-back cache are in shared memory, which the worker reads in place; other data is
 * copied into a reused shared slot (a fresh buffer per block would cost as much as hashing,
 * in page faults). WebCrypto's digest is no help: on Node 20 it holds the event loop longer
 * than createHash does. Small contents are hashed in place. The worker starts on first use
 * and ends after a quiet minute (idle memory matters).
 */
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';

const IN_PLACE_BELOW = 64 * 1024;
const IDLE_MS = 60_000;
/** Shared buffers, so this many blocks can be in the worker's line at once. */
const SLOTS = 4;
const SLOT_BYTES = 4 * 1024 * 1024;

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
parentPort.on('message', ({ id, memory, offset, length }) => {
  parentPort.postMessage({ id, hash: createHash('sha256').update(new Uint8Array(memory, offset, length)).digest('hex') });
});
`;

const sha256InPlace = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

interface Pending {
  resolve: (hash: string) => void;
  reject: (err: Error) => void;
  /** The copy's buffer, free again once hashed; undefined when the worker reads the caller's memory. */
  slot: SharedArrayBuffer | undefined;
}

class HashWorker {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly freeSlots: SharedArrayBuffer[] = [];
  private slotsMade = 0;
  private readonly slotWaiters: (() => void)[] = [];

  /** Data in shared memory is read in place; other data is copied into a shared slot first. */
  async hash(data: Buffer): Promise<string> {
    let slot: SharedArrayBuffer | undefined;
    let memory = data.buffer;
    let offset = data.byteOffset;
    if (!(memory instanceof SharedArrayBuffer)) {
      slot = await this.slot();
      Buffer.from(slot).set(data);
      [memory, offset] = [slot, 0];
    }
    const worker = this.start();
    const id = this.nextId++;
    clearTimeout(this.idleTimer);
    return new Promise<string>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, slot });
      worker.postMessage({ id, memory, offset, length: data.length });
    });
  }

  private async slot(): Promise<SharedArrayBuffer> {
    for (;;) {
      const free = this.freeSlots.pop();
      if (free !== undefined) return free;
      if (this.slotsMade < SLOTS) {
        this.slotsMade++;
        return new SharedArrayBuffer(SLOT_BYTES);
      }
      await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
    }
  }

  private settle(id: number, outcome: { hash: string } | { err: Error }): void {
    const p = this.pending.get(id);
    if (p === undefined) return;
    this.pending.delete(id);
    if (p.slot !== undefined) {
      this.freeSlots.push(p.slot);
      this.slotWaiters.shift()?.();
    }
    if ('hash' in outcome) p.resolve(outcome.hash);
    else p.reject(outcome.err);
  }

  private start(): Worker {
    if (this.worker !== undefined) return this.worker;
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.unref();
    worker.on('message', ({ id, hash }: { id: number; hash: string }) => {
      this.settle(id, { hash });
      if (this.pending.size === 0) this.idleTimer = setTimeout(() => void this.stop(), IDLE_MS).unref();
    });
    const fail = (err: Error): void => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      for (const id of [...this.pending.keys()]) this.settle(id, { err });
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the hash worker exited (${code})`)));
    this.worker = worker;
    return worker;
  }

  private async stop(): Promise<void> {
    const worker = this.worker;
    if (worker === undefined || this.pending.size > 0) return;
    this.worker = undefined;
    this.freeSlots.length = 0;
    this.slotsMade = 0;
    await worker.terminate();
  }
}

const worker = new HashWorker();

/** Hex SHA-256 of `data`; the caller keeps `data` unchanged until this resolves. */
export async function contentHash(data: Buffer): Promise<string> {
  if (data.length < IN_PLACE_BELOW) return sha256InPlace(data);
  if (data.length > SLOT_BYTES && !(data.buffer instanceof SharedArrayBuffer)) return sha256InPlace(data);
  // A worker that failed (out of memory, ...) costs the event loop, never the data.
  return worker.hash(data).catch(() => sha256InPlace(data));
}
