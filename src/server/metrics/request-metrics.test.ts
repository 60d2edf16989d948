// The per-request metrics counted in plain numbers come out at scrape time exactly as
// prom-client's own Counter and Histogram print the same requests, and a second scrape
// neither loses nor counts twice what the first one flushed.
import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { RequestMetrics } from './request-metrics.ts';

const BOUNDS = [0.001, 0.01, 0.1, 1];

/** prom-client's own metrics of the same names, fed directly. */
function reference() {
  const registry = new Registry();
  const registers = [registry];
  const requests = new Counter({
    name: 'dittofs_requests_total',
    help: 'x',
    labelNames: ['protocol', 'op', 'status'],
    registers,
  });
  const duration = new Histogram({
    name: 'dittofs_request_duration_seconds',
    help: 'x',
    labelNames: ['protocol', 'op'],
    buckets: BOUNDS,
    registers,
  });
  const read = new Counter({
    name: 'dittofs_bytes_read_total',
    help: 'x',
    labelNames: ['protocol', 'share'],
    registers,
  });
  const written = new Counter({
    name: 'dittofs_bytes_written_total',
    help: 'x',
    labelNames: ['protocol', 'share'],
    registers,
  });
  return {
    registry,
    request(protocol: string, op: string, status: string, seconds: number) {
      requests.inc({ protocol, op, status });
      duration.observe({ protocol, op }, seconds);
    },
    bytes(protocol: string, share: string, r: number, w: number) {
      if (r > 0) read.inc({ protocol, share }, r);
      if (w > 0) written.inc({ protocol, share }, w);
    },
  };
}

/** The sample lines (no HELP), sorted: the two registries list label sets in different orders. */
async function samples(registry: Registry): Promise<string[]> {
  return (await registry.metrics())
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('# HELP'))
    .sort();
}

describe('RequestMetrics', () => {
  it('prints what prom-client prints for the same requests, scrape after scrape', async () => {
    const ours = new Registry();
    const fast = new RequestMetrics(ours, BOUNDS);
    const ref = reference();
    const feed = (protocol: string, op: string, status: string, seconds: number, share = '', r = 0, w = 0) => {
      for (const m of [fast, ref]) {
        m.request(protocol, op, status, seconds);
        m.bytes(protocol, share, r, w);
      }
    };
    feed('nfs3', 'READ', 'ok', 0.0005, '/export', 4096, 0);
    feed('nfs3', 'READ', 'ok', 0.02, '/export', 8192, 0);
    feed('nfs3', 'WRITE', 'NO_SPACE', 0.001, '/export', 0, 0); // on a bound: counted in its bucket
    feed('smb', 'WRITE', 'ok', 3, 'photos', 0, 1 << 20); // past every bound
    feed('api', 'shares.list', '200', 0.004);
    expect(await samples(ours)).toEqual(await samples(ref.registry));
    expect(await samples(ours)).toContain('dittofs_bytes_read_total{protocol="nfs3",share="/export"} 12288');
    feed('nfs3', 'READ', 'ok', 0.0001, '/export', 100, 0);
    feed('nfs3', 'GETATTR', 'STALE_HANDLE', 0.2);
    const second = await samples(ours);
    expect(second).toEqual(await samples(ref.registry));
    expect(second).toContain('dittofs_requests_total{protocol="nfs3",op="READ",status="ok"} 3');
    expect(second).toContain('dittofs_request_duration_seconds_bucket{le="+Inf",protocol="nfs3",op="READ"} 3');
    expect(await samples(ours)).toEqual(second); // nothing new: nothing changes
  });
});
