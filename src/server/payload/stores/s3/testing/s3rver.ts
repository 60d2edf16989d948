/**
 * s3rver (an S3-compatible server, ../shared/PEERS.md) as a child process on a loopback
 * port, for the S3 store's conformance suite and the end-to-end tests: started, stopped
 * (an outage) and started again on the same directory and port, or moved to another port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';

const BIN = path.resolve(import.meta.dirname, '../../../../../../node_modules/s3rver/bin/s3rver.js');

/** The options of an S3 payload store on this server (its fixed test credentials). */
export interface S3rverStoreConfig {
  bucket: string;
  endpoint: string;
  region: string;
  forcePathStyle: true;
  accessKeyId: string;
  secretAccessKey: string;
}

export class S3rver {
  private child: ChildProcess | undefined;

  private constructor(
    readonly dir: string,
    private listenPort: number,
  ) {}

  get port(): number {
    return this.listenPort;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<S3rver> {
    const server = new S3rver(mkdtempSync(path.join(tmpdir(), 'dittofs-s3rver-')), await freePort());
    await server.start();
    return server;
  }

  /** The running server's process id (for CPU accounting in benchmarks). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts (again) on the same directory and port. */
  async start(): Promise<void> {
    this.child = spawn(
      process.execPath,
      [BIN, '-d', this.dir, '-a', '127.0.0.1', '-p', String(this.port), '--silent'],
      { stdio: 'ignore' },
    );
    await waitForPort(this.port);
  }

  /** Stops the server: the endpoint refuses connections until `start`. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** Restarts on the same directory and another port: the endpoint moves, the buckets stay. */
  async move(): Promise<void> {
    await this.stop();
    this.listenPort = await freePort();
    await this.start();
  }

  async remove(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Makes a bucket and returns a store config for it. */
  async bucket(name: string): Promise<S3rverStoreConfig> {
    const config: S3rverStoreConfig = {
      bucket: name,
      endpoint: this.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
    };
    const client = new S3Client({ ...config, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    try {
      await client.send(new CreateBucketCommand({ Bucket: name }));
    } finally {
      client.destroy();
    }
    return config;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const s = net.connect({ port, host: '127.0.0.1' });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (up) return;
    if (Date.now() > deadline) throw new Error(`s3rver did not listen on 127.0.0.1:${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
