import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { isWildcard, localAddressToward, plainAddress } from './address.ts';

const iface = (address: string, cidr: string, internal = false): NetworkInterfaceInfo =>
  ({
    address,
    cidr,
    internal,
    family: address.includes(':') ? 'IPv6' : 'IPv4',
    netmask: '',
    mac: '',
  }) as NetworkInterfaceInfo;

const INTERFACES = {
  lo: [iface('127.0.0.1', '127.0.0.1/8', true), iface('::1', '::1/128', true)],
  eth0: [iface('192.168.1.20', '192.168.1.20/24'), iface('fd00::20', 'fd00::20/64')],
  wlan0: [iface('10.0.0.5', '10.0.0.5/8')],
};

describe('socket addresses', () => {
  it('reduces IPv4-mapped addresses and knows wildcard binds', () => {
    expect(plainAddress('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(plainAddress('fd00::1')).toBe('fd00::1');
    expect(['0.0.0.0', '::', ''].every(isWildcard)).toBe(true);
    expect(isWildcard('127.0.0.1')).toBe(false);
  });

  it('picks the address of the interface whose network holds the client', () => {
    expect(localAddressToward('127.0.0.1', INTERFACES)).toBe('127.0.0.1');
    expect(localAddressToward('192.168.1.77', INTERFACES)).toBe('192.168.1.20');
    expect(localAddressToward('10.9.8.7', INTERFACES)).toBe('10.0.0.5');
    expect(localAddressToward('fd00::99', INTERFACES)).toBe('fd00::20');
    expect(localAddressToward('::1', INTERFACES)).toBe('::1');
    // Routed from elsewhere: the first external address of the family.
    expect(localAddressToward('203.0.113.9', INTERFACES)).toBe('192.168.1.20');
    expect(localAddressToward('not an address', INTERFACES)).toBe('127.0.0.1');
  });
});
