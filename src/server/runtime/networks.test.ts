import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { localNetworks, networkOf } from './networks.ts';

const v4 = (address: string, netmask: string, internal = false): NetworkInterfaceInfo => ({
  address,
  netmask,
  family: 'IPv4',
  mac: '00:00:00:00:00:00',
  internal,
  cidr: null,
});
const v6 = (address: string, netmask: string, internal = false): NetworkInterfaceInfo => ({
  address,
  netmask,
  family: 'IPv6',
  mac: '00:00:00:00:00:00',
  internal,
  cidr: null,
  scopeid: 0,
});

describe('localNetworks: the networks of this computer as CIDRs', () => {
  it('masks addresses to their networks', () => {
    expect(networkOf(v4('192.168.1.23', '255.255.255.0'))).toBe('192.168.1.0/24');
    expect(networkOf(v4('10.1.2.3', '255.240.0.0'))).toBe('10.0.0.0/12');
    expect(networkOf(v4('127.0.0.1', '255.0.0.0'))).toBe('127.0.0.0/8');
    expect(networkOf(v6('fd00::2', 'ffff:ffff:ffff:ffff::'))).toBe('fd00::/64');
    expect(networkOf(v6('2001:db8:1:2:3:4:5:6', 'ffff:ffff:ffff:ff00::'))).toBe('2001:db8:1::/56');
    expect(networkOf(v6('::1', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'))).toBe('::1/128');
  });

  it('lists each network once with its interface, loopback included, link-local left out', () => {
    expect(
      localNetworks({
        lo: [v4('127.0.0.1', '255.0.0.0', true), v6('::1', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', true)],
        eth0: [
          v4('192.168.1.23', '255.255.255.0'),
          v6('fe80::1', 'ffff:ffff:ffff:ffff::'),
          v4('169.254.9.9', '255.255.0.0'),
        ],
        wlan0: [v4('192.168.1.40', '255.255.255.0')],
      }),
    ).toEqual([
      { cidr: '127.0.0.0/8', interface: 'lo', internal: true },
      { cidr: '::1/128', interface: 'lo', internal: true },
      { cidr: '192.168.1.0/24', interface: 'eth0', internal: false },
    ]);
  });
});
