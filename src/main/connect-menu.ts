/**
 * What the tray's "Copy connect address" offers: for every enabled share, the connect
 * lines (src/shared/connect.ts) for this computer's best address and the ports the
 * adapters really bound, fetched from the server's own routes (connect.info, shares.list).
 */
import type { ConnectInfoDto, ShareDto } from '../shared/api/schemas.ts';
import { connectLines, type ConnectLine } from '../shared/connect.ts';
import type { CallResult } from '../shared/desktop.ts';

export interface ConnectChoices {
  /** The address the lines use (the server's best guess). */
  host: string;
  shares: { share: string; lines: ConnectLine[] }[];
}

type Call = (op: string, params?: unknown) => Promise<CallResult>;

/** undefined while the server cannot answer or no share can be reached. */
export async function loadConnectChoices(call: Call): Promise<ConnectChoices | undefined> {
  const [info, shares] = await Promise.all([call('connect.info', {}), call('shares.list', {})]);
  if (!info.ok || !shares.ok) return undefined;
  const c = info.result as ConnectInfoDto;
  const host = c.addresses[0]?.host ?? c.hostname;
  const out = (shares.result as ShareDto[])
    .filter((s) => s.enabled)
    .map((s) => ({ share: s.name, lines: connectLines(s, host, c) }))
    .filter((s) => s.lines.length > 0);
  return out.length > 0 ? { host, shares: out } : undefined;
}
