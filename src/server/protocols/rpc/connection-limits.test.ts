import { describe, expect, it } from 'vitest';
import { ConnectionLimits, DEFAULT_CONNECTION_LIMITS } from './connection-limits.ts';

const limits = (maxConnections: number, maxConnectionsPerClient: number): ConnectionLimits =>
  new ConnectionLimits({ ...DEFAULT_CONNECTION_LIMITS, maxConnections, maxConnectionsPerClient });

describe('ConnectionLimits', () => {
  it('refuses a client past its own limit while others still get in', () => {
    const l = limits(10, 2);
    expect(l.admit('10.0.0.1')).toBeUndefined();
    expect(l.admit('10.0.0.1')).toBeUndefined();
    expect(l.admit('10.0.0.1')).toBe('max_connections_per_client');
    expect(l.admit('10.0.0.2')).toBeUndefined();
    l.release('10.0.0.1');
    expect(l.admit('10.0.0.1')).toBeUndefined();
    expect(l.stats().refused).toEqual({ max_connections: 0, max_connections_per_client: 1 });
  });

  it('refuses everyone past the total, and admits again as connections close', () => {
    const l = limits(3, 2);
    for (const addr of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) expect(l.admit(addr)).toBeUndefined();
    expect(l.admit('10.0.0.4')).toBe('max_connections');
    expect(l.admit('10.0.0.1')).toBe('max_connections');
    l.release('10.0.0.2');
    expect(l.admit('10.0.0.4')).toBeUndefined();
    expect(l.stats().refused).toEqual({ max_connections: 2, max_connections_per_client: 0 });
  });

  it('ignores the release of a connection it never admitted', () => {
    const l = limits(1, 1);
    l.release('10.0.0.9');
    expect(l.admit('10.0.0.1')).toBeUndefined();
    expect(l.admit('10.0.0.2')).toBe('max_connections');
  });

  it('counts timeouts by reason', () => {
    const l = limits(1, 1);
    l.timedOut('idle');
    l.timedOut('record');
    l.timedOut('record');
    expect(l.stats().timedOut).toEqual({ idle: 1, record: 2 });
  });
});
