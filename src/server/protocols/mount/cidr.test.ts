import { describe, expect, it } from 'vitest';
import { CidrList, parseIPv4 } from './cidr.ts';

describe('CidrList', () => {
  it('parses IPv4', () => {
    expect(parseIPv4('10.0.0.1')).toBe(0x0a000001);
    expect(parseIPv4('256.0.0.1')).toBeUndefined();
    expect(parseIPv4('1.2.3')).toBeUndefined();
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
    const l = CidrList.parse(['10.0.0.0/33', 'garbage', '1.2.3.4/8/1']);
    expect(l.allows('10.0.0.1')).toBe(false);
    expect(l.allows('1.2.3.4')).toBe(false);
  });
});
