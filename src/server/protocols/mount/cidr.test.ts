import { describe, expect, it } from 'vitest';
import { CidrList } from './cidr.ts';

describe('CidrList', () => {
  it('matches IPv6 networks and hosts', () => {
    const l = CidrList.parse(['fd00::/8', '2001:db8::5', '::1/128']);
    expect(l.allows('fd12:3456::1')).toBe(true);
    expect(l.allows('fe80::1')).toBe(false);
    expect(l.allows('2001:db8::5')).toBe(true);
    expect(l.allows('2001:db8::6')).toBe(false);
    expect(l.allows('::1')).toBe(true);
    expect(l.allows('10.0.0.1')).toBe(false);
  });

  it('matches blocks, single hosts and IPv4-mapped clients', () => {
    const l = CidrList.parse(['10.0.0.0/8', '192.168.1.5', '172.16.0.0/12']);
    expect(l.allows('10.200.3.4')).toBe(true);
    expect(l.allows('::ffff:10.1.1.1')).toBe(true);
    expect(l.allows('192.168.1.5')).toBe(true);
    expect(l.allows('192.168.1.6')).toBe(false);
    expect(l.allows('172.31.255.255')).toBe(true);
    expect(l.allows('172.32.0.0')).toBe(false);
    expect(l.allows('::1')).toBe(false);
  });

  it('allows everyone for an empty list, "*" or /0', () => {
    expect(CidrList.parse([]).allows('8.8.8.8')).toBe(true);
    expect(CidrList.parse(['*']).allows('::1')).toBe(true);
    expect(CidrList.parse(['0.0.0.0/0']).allows('8.8.8.8')).toBe(true);
  });

  it('ignores malformed entries instead of widening access', () => {
    const l = CidrList.parse(['10.0.0.0/33', 'garbage', '1.2.3.4/8/1', 'fd00::/129', '256.0.0.1', '1.2.3.0/x']);
    expect(l.allows('10.0.0.1')).toBe(false);
    expect(l.allows('1.2.3.4')).toBe(false);
    expect(l.allows('fd00::1')).toBe(false);
    expect(l.allows('not an address')).toBe(false);
  });
});
