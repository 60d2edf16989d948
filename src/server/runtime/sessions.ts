import type { Logger } from 'pino';
import type { ClientDto, MountDto } from '../../shared/api/schemas.ts';
import { DittoError } from '../../shared/errors.ts';
import type { AccessIndex } from './access.ts';
import type { AdaptersService } from './adapters.ts';
import type { MountsService } from './mounts.ts';
import type { Holding, MountProtocol, MountRecord } from './types.ts';

/**
 * An NFSv3 client with no live connection still counts as connected this long after its
 * last request: clients close idle connections and reconnect on the next access.
 */
export const RECENT_ACTIVITY_MS = 3 * 60_000;

const adapterOf = (p: MountProtocol) => (p === 'smb' ? 'smb' : 'nfs');

/** What ties a record to live connections: its key (SMB: session and share), else its client and share. */
const liveKey = (m: MountRecord) =>
  m.key === undefined ? `${adapterOf(m.protocol)}\0${m.clientAddr}\0${m.share}` : `key\0${m.key}`;

/** Mounts and clients as the API shows them, and ending them. */
export class SessionsService {
  constructor(
    private readonly mounts: MountsService,
    private readonly adapters: AdaptersService,
    private readonly access: AccessIndex,
    private readonly logger: Logger,
  ) {}

  list(now = Date.now()): MountDto[] {
    // Live connections by adapter, client and share they used.
    const live = new Map<string, number>();
    const security = new Map<string, NonNullable<MountDto['security']>>();
    for (const type of ['nfs', 'smb'] as const) {
      for (const c of this.adapters.running(type)?.sessions?.() ?? []) {
        const keys = [
          ...c.shares.map((share) => `${type}\0${c.clientAddr}\0${share}`),
          ...(c.mountKeys ?? []).map((k) => `key\0${k}`),
        ];
        for (const k of keys) {
          live.set(k, (live.get(k) ?? 0) + 1);
          if (c.dialect !== undefined)
            security.set(k, { dialect: c.dialect, signed: c.signed ?? false, encrypted: c.encrypted ?? false });
        }
      }
    }
    const held = new Map<string, Holding>();
    for (const type of ['nfs', 'smb'] as const) {
      for (const h of this.adapters.running(type)?.holdings?.() ?? [])
        held.set(`${type}\0${h.clientAddr}\0${h.share}`, h);
    }
    return this.mounts.list().map((m) => {
      const sec = security.get(liveKey(m));
      // Opens and locks are counted by client and share: SMB sessions side by side show them all.
      const h = held.get(`${adapterOf(m.protocol)}\0${m.clientAddr}\0${m.share}`);
      return { ...this.dto(m, live, now), ...(sec && { security: sec }), ...(h && { opens: h.opens, locks: h.locks }) };
    });
  }

  /** One record as the API shows it (also for the mount / unmount events). */
  dto(m: MountRecord, live?: ReadonlyMap<string, number>, now = Date.now()): MountDto {
    const type = adapterOf(m.protocol);
    const running = this.adapters.running(type) !== undefined;
    const connections = live?.get(liveKey(m)) ?? 0;
    const recent = now - m.lastActiveMs < RECENT_ACTIVITY_MS;
    const uid = m.protocol === 'smb' || !/^\d+$/.test(m.user) ? null : Number(m.user);
    return {
      id: m.id,
      protocol: m.protocol,
      clientAddr: m.clientAddr,
      share: m.share,
      user: uid === null ? m.user : (this.access.userName(uid) ?? `uid ${uid}`),
      uid,
      ...(m.version === undefined ? {} : { version: m.version }),
      since: m.since,
      lastActive: new Date(m.lastActiveMs).toISOString(),
      state: running && (connections > 0 || recent) ? 'connected' : 'mounted',
      connections,
      bytesRead: m.bytesRead,
      bytesWritten: m.bytesWritten,
      ops: m.ops,
      opens: 0,
      locks: 0,
    };
  }

  /**
   * Ends one mount and drops its record: closes the connection carrying a keyed record (an
   * SMB session's), else the client's connections of that protocol that used the share.
   */
  disconnectMount(id: string): number {
    const m = this.mounts.get(id);
    if (!m) throw new DittoError('NOT_FOUND', `no mount ${id}`);
    const filter = m.key === undefined ? { clientAddr: m.clientAddr, share: m.share } : { mountKey: m.key };
    const sessions = this.adapters.disconnect(filter, adapterOf(m.protocol));
    const records = this.mounts.removeId(m.id) ? 1 : 0;
    this.logger.info({ client: m.clientAddr, share: m.share, protocol: m.protocol, sessions }, 'mount disconnected');
    return Math.max(sessions, records);
  }

  clients(): ClientDto[] {
    const by = new Map<string, ClientDto>();
    for (const m of this.list()) {
      let c = by.get(m.clientAddr);
      if (!c) {
        c = {
          address: m.clientAddr,
          protocols: [],
          shares: [],
          users: [],
          mounts: 0,
          since: m.since,
          bytesRead: 0,
          bytesWritten: 0,
          ops: 0,
        };
        by.set(m.clientAddr, c);
      }
      if (!c.protocols.includes(m.protocol)) c.protocols.push(m.protocol);
      if (!c.shares.includes(m.share)) c.shares.push(m.share);
      if (!c.users.includes(m.user)) c.users.push(m.user);
      c.mounts += 1;
      if (m.since < c.since) c.since = m.since;
      c.bytesRead += m.bytesRead;
      c.bytesWritten += m.bytesWritten;
      c.ops += m.ops;
    }
    return [...by.values()].sort((a, b) => a.address.localeCompare(b.address));
  }

  /** Ends every session and mount of a client address. */
  disconnectClient(address: string): number {
    const protocols = new Set<MountProtocol>(
      this.mounts
        .list()
        .filter((m) => m.clientAddr === address)
        .map((m) => m.protocol),
    );
    const sessions = this.adapters.disconnect({ clientAddr: address });
    let records = 0;
    for (const p of protocols) records += this.mounts.remove(p, address);
    if (sessions === 0 && records === 0) throw new DittoError('NOT_FOUND', `no client ${address} is connected`);
    this.logger.info({ client: address }, 'client disconnected');
    return Math.max(sessions, records);
  }
}
