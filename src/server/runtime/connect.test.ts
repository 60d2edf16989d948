import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { connectAddresses } from './connect.ts';

const addr = (address: string, family: 'IPv4' | 'IPv6', internal = false): NetworkInterfaceInfo =>
  family === 'IPv4'
    ? { address, netmask: '255.255.255.0', family, mac: '00:00:00:00:00:00', internal, cidr: null }
    : { address, netmask: 'ffff:ffff:ffff:ffff::', family, mac: '00:00:00:00:00:00', internal, cidr: null, scopeid: 0 };

describe('connectAddresses: what another device may use, best first', () => {
  it('puts physical IPv4 first, then <hostname>.local, then virtual interfaces and IPv6; never loopback or link-local', () => {
    const got = connectAddresses(
      {
        lo: [addr('127.0.0.1', 'IPv4', true), addr('::1', 'IPv6', true)],
        docker0: [addr('172.17.0.1', 'IPv4')],
        wlan0: [addr('192.168.1.20', 'IPv4'), addr('fe80::1', 'IPv6'), addr('fd00::20', 'IPv6')],
        eth1: [addr('169.254.3.4', 'IPv4')],
      },
      'nas.example.org',
    );
    expect(got.map((a) => a.host)).toEqual(['192.168.1.20', 'nas.local', '172.17.0.1', 'fd00::20']);
    expect(got[0]).toEqual({ host: '192.168.1.20', kind: 'ipv4', note: 'wlan0 (192.168.1.0/24)' });
    expect(got[1]?.note).toMatch(/mDNS/);
  });

  it('offers the .local name when the computer has no other address', () => {
    expect(connectAddresses({ lo: [addr('127.0.0.1', 'IPv4', true)] }, 'laptop').map((a) => a.host)).toEqual([
      'laptop.local',
    ]);
    expect(connectAddresses({}, 'MacBook.local').map((a) => a.host)).toEqual(['MacBook.local']);
  });
});
