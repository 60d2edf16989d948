/**
 * A ProtocolRuntime for protocol tests built from the real services over in-memory stores:
 * MetadataService, PayloadService and MountsService, one share `/export` (id 1) whose root
 * is world-writable, as the runtime makes a new share's root (runtime/shares.ts).
 */
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { ntHash } from '../../auth/nthash.ts';
import { MetadataService } from '../../metadata/service.ts';
import { MemoryMetadataStore } from '../../metadata/stores/memory/memory-store.ts';
import type { MetadataStore } from '../../metadata/store.ts';
import type { FileHandle, ShareExportOptions } from '../../metadata/types.ts';
import { PayloadService } from '../../payload/service.ts';
import { MemoryBlockStore } from '../../payload/stores/memory/memory-store.ts';
import { MountsService } from '../../runtime/mounts.ts';
import type { GuestIdentity, OpSample, ProtocolRuntime, ShareInfo } from '../../runtime/types.ts';
import type { RpcCall } from '../rpc/program.ts';

export const SHARE = '/export';

/** The user `identities` knows (SMB logs in as it). */
export const TEST_USER = { username: 'alice', password: 'wonderland', uid: 1000, gid: 1000 };

/** An AUTH_SYS call as uid/gid 1000 from `clientAddr`:`clientPort`. */
export function testCall(prog: number, proc: number, clientAddr: string, clientPort: number): RpcCall {
  return {
    xid: 1,
    prog,
    vers: 3,
    proc,
    cred: { flavor: 1, sys: undefined },
    auth: { uid: 1000, gid: 1000, gids: [], clientAddr },
    session: { clientAddr, clientPort, localAddr: '127.0.0.1', localPort: 2049, shares: new Set() },
  };
}

export interface TestRuntime extends ProtocolRuntime {
  metadata: MetadataService;
  payload: PayloadService;
  mounts: MountsService;
  /** The share as the SharesView lists it. */
  share: ShareInfo;
  root: FileHandle;
  /** Every request the protocols recorded, in order. */
  samples: OpSample[];
  /** The guest account `identities.guest()` reports (disabled unless a test enables it). */
  guestConfig: GuestIdentity;
  /** Enables or disables the share in the SharesView and the metadata service, as SharesService.update does. */
  setEnabled(enabled: boolean): void;
  /** Changes export options (squash, access, ...) in the SharesView and the metadata service alike. */
  setExport(change: Partial<ShareExportOptions>): void;
}

/** `store`: the share's metadata store (a fresh memory store by default). */
export async function testRuntime(
  allowedNetworks: string[] = [],
  store: MetadataStore = new MemoryMetadataStore(),
): Promise<TestRuntime> {
  const share: ShareInfo = {
    name: SHARE,
    id: 1,
    enabled: true,
    export: { readOnly: false, squash: 'none', anonUid: 65534, anonGid: 65534, access: () => 'write', allowedNetworks },
  };
  const metadata = new MetadataService();
  await metadata.registerShare(SHARE, {
    id: share.id,
    store,
    options: share.export,
    enabled: true,
    root: { uid: 0, gid: 0, mode: 0o777 },
  });
  const payload = new PayloadService();
  payload.registerShare(SHARE, new MemoryBlockStore());
  const mounts = new MountsService();
  const samples: OpSample[] = [];
  mounts.on('sample', (s) => samples.push(s));
  const shares = new Map([[SHARE, share]]);
  const guestConfig: GuestIdentity = { enabled: false, uid: 65534, gid: 65534 };
  return {
    metadata,
    payload,
    mounts,
    share,
    root: await metadata.rootHandle(SHARE),
    samples,
    guestConfig,
    shares: { get: (name) => shares.get(name), list: () => [...shares.values()] },
    identities: {
      // One user for authenticating protocols: uid/gid 1000 like testCall's AUTH_SYS caller.
      byName: async (name) =>
        name.toLowerCase() === TEST_USER.username
          ? { ...TEST_USER, gids: [], ntHash: Buffer.from(ntHash(TEST_USER.password), 'hex'), enabled: true }
          : undefined,
      guest: async () => guestConfig,
    },
    logger: pino({ level: 'silent' }),
    bootVerifier: randomBytes(8),
    setEnabled(enabled) {
      share.enabled = enabled;
      metadata.updateShare(SHARE, { enabled });
    },
    setExport(change) {
      share.export = { ...share.export, ...change };
      metadata.updateShare(SHARE, { options: share.export });
    },
  };
}
