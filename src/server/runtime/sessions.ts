import type { Logger } from 'pino';
import type { ClientDto, MountDto } from '../../shared/api/schemas.ts';
import { DittoError } from '../../shared/errors.ts';
import type { AdaptersService } from './adapters.ts';
import type { MountsService } from './mounts.ts';
import type { MountProtocol } from './types.ts';

/** Mounts and clients as the API shows them, and ending them. */
export class SessionsService {
  constructor(
    private readonly mounts: MountsService,
    private readonly adapters: AdaptersService,
    private readonly logger: Logger,
  ) {}

  list(): MountDto[] {
    return this.mounts.list().map((m) => ({ ...m }));
  }

  /** Ends one mount: the protocol sessions of that client on that share, and the record. */
  disconnectMount(id: string): number {
    const m = this.mounts.get(id);
    if (!m) throw new DittoError('NOT_FOUND', `no mount ${id}`);
    const sessions = this.adapters.disconnect({ clientAddr: m.clientAddr, share: m.share });
    const records = this.mounts.remove(m.protocol, m.clientAddr, m.share);
    this.logger.info({ client: m.clientAddr, share: m.share, protocol: m.protocol }, 'mount disconnected');
    return Math.max(sessions, records);
  }

  clients(): ClientDto[] {
    const by = new Map<string, ClientDto>();
    for (const m of this.mounts.list()) {
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
