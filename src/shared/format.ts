/**
 * Byte counts and rates in words, one way everywhere (web UI, tray, terminal banner).
 * Units are decimal (kB = 1000 B), as disk and network tools show them.
 */
const UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];

export function formatBytes(n: number | undefined | null): string {
  if (n === undefined || n === null || !Number.isFinite(n)) return '—';
  let v = Math.max(0, n);
  let i = 0;
  while (v >= 1000 && i < UNITS.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 || v >= 100 ? Math.round(v) : v.toFixed(1)} ${UNITS[i]}`;
}

/** Used share of a disk as `df` shows it: reserved blocks count neither as used nor as available. */
export function diskUsedPercent(u: { totalBytes: number; freeBytes: number; availBytes: number }): number {
  const used = u.totalBytes - u.freeBytes;
  const usable = used + u.availBytes;
  return usable > 0 ? Math.min(100, Math.max(0, (used / usable) * 100)) : 0;
}

export function formatRate(bytesPerSec: number): string {
  return `${formatBytes(bytesPerSec)}/s`;
}
