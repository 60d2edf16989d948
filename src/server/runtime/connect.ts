/**
 * How other devices reach this server: the computer's addresses, best first, and the
 * protocol adapters running now with the ports they really bound. The connect lines the
 * UI and the tray show (src/shared/connect.ts) are built from this.
 */
import { hostname as osHostname, networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import type { ConnectAddressDto, ConnectInfoDto } from '../../shared/api/schemas.ts';
import type { AdaptersService } from './adapters.ts';
import { isLinkLocal, networkOf } from './networks.ts';

/** Interfaces of containers, VMs and VPNs: reachable from this computer, rarely from a phone on the LAN. */
const VIRTUAL =
  /^(docker|br-|veth|virbr|vmnet|vboxnet|utun|tun|tap|wg|zt|tailscale|lxc|lxd|podman|cni|flannel|awdl|llw)/i;

/**
 * The addresses another device may use, best first: IPv4 on a physical interface (what
 * every phone and OS can use), then `<hostname>.local` (survives a new DHCP lease, but the
 * other device needs mDNS), then IPv4 on virtual interfaces, then IPv6. Never loopback or
 * link-local.
 */
export function connectAddresses(interfaces = networkInterfaces(), hostname = osHostname()): ConnectAddressDto[] {
  const ranked: { rank: number; a: ConnectAddressDto }[] = [];
  const seen = new Set<string>();
  for (const [name, addrs] of Object.entries(interfaces)) {
    for (const a of addrs ?? []) {
      if (a.internal || isLinkLocal(a) || seen.has(a.address)) continue;
      seen.add(a.address);
      const v4 = a.family === 'IPv4';
      const virtual = VIRTUAL.test(name);
      const rank = v4 ? (virtual ? 2 : 0) : 3;
      ranked.push({ rank, a: { host: a.address, kind: v4 ? 'ipv4' : 'ipv6', note: interfaceNote(name, a) } });
    }
  }
  const short = hostname.split('.')[0] ?? '';
  if (/^[A-Za-z0-9-]{1,63}$/.test(short)) {
    ranked.push({
      rank: 1,
      a: {
        host: `${short}.local`,
        kind: 'name',
        note: "this computer's name on the local network (the other device must support mDNS / Bonjour)",
      },
    });
  }
  return ranked.sort((x, y) => x.rank - y.rank).map((r) => r.a);
}

function interfaceNote(name: string, a: NetworkInterfaceInfo): string {
  const cidr = networkOf(a);
  return cidr ? `${name} (${cidr})` : name;
}

const LOOPBACK_BIND = /^(127\.|::1$|localhost$)/i;

/**
 * The connect facts of this server right now. `nlmReachable`: a client's lockd finds NLM,
 * i.e. the embedded portmapper runs on port 111 (where clients ask; see docs/locking.md).
 */
export async function connectInfo(
  adapters: AdaptersService,
  nlmReachable: boolean,
  addresses = connectAddresses(),
): Promise<ConnectInfoDto> {
  const statuses = await adapters.list();
  const localOnly = (type: 'nfs' | 'smb') => LOOPBACK_BIND.test(statuses.find((s) => s.type === type)?.bind ?? '');
  const nfs = adapters.running('nfs');
  const smb = adapters.running('smb');
  return {
    hostname: osHostname(),
    addresses,
    nfs: nfs
      ? { port: nfs.port, mountPort: nfs.mountPort ?? nfs.port, localOnly: localOnly('nfs'), locking: nlmReachable }
      : null,
    smb: smb ? { port: smb.port, localOnly: localOnly('smb') } : null,
  };
}
