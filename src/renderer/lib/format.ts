/** Units are decimal (kB = 1000 B), as disk and network tools show them. */
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

export function formatRate(bytesPerSec: number): string {
  return `${formatBytes(bytesPerSec)}/s`;
}

export function formatOps(opsPerSec: number): string {
  return opsPerSec >= 1000 ? `${(opsPerSec / 1000).toFixed(1)}k ops/s` : `${Math.round(opsPerSec)} ops/s`;
}

export function formatSince(iso: string, now = Date.now()): string {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return '—';
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min ago`;
  return new Date(t).toLocaleString();
}

export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

export function percent(part: number, total: number): number {
  return total > 0 ? Math.min(100, Math.max(0, (part / total) * 100)) : 0;
}

/** "/photos" -> "photos" (for smb://host/photos and \\host\photos). */
export function smbName(share: string): string {
  return share.replace(/^\/+/, '');
}

export interface ConnectInfo {
  host: string;
  nfsPort?: number | null;
  mountPort?: number | null;
  smbPort?: number | null;
}

/** Every way to reach one share, with the real ports. */
export function connectLines(share: string, c: ConnectInfo): { label: string; value: string }[] {
  const out: { label: string; value: string }[] = [];
  const name = smbName(share);
  const mountDir = `/mnt/${name.split('/').pop() || 'share'}`;
  if (c.smbPort) {
    out.push({
      label: 'macOS Finder / Linux file manager',
      value: `smb://${c.host}${c.smbPort === 445 ? '' : `:${c.smbPort}`}/${name}`,
    });
    out.push({ label: 'Windows Explorer', value: `\\\\${c.host}\\${name.replace(/\//g, '\\')}` });
  }
  if (c.nfsPort) {
    const mp = c.mountPort ?? c.nfsPort;
    out.push({
      label: 'Linux (terminal)',
      value: `sudo mkdir -p ${mountDir} && sudo mount -t nfs -o vers=3,proto=tcp,port=${c.nfsPort},mountport=${mp},nolock ${c.host}:${share} ${mountDir}`,
    });
    out.push({
      label: 'macOS (terminal)',
      value: `sudo mkdir -p ${mountDir} && sudo mount_nfs -o vers=3,tcp,port=${c.nfsPort},mountport=${mp},nolocks ${c.host}:${share} ${mountDir}`,
    });
  }
  return out;
}
