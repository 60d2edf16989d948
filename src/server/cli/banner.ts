/**
 * What `dfs start` tells a person at a terminal once it serves: where the web UI is, the
 * ports, where the data lives and the generated admin password (issue 11). Services and
 * pipes get the JSON "ready" line instead.
 */
export interface BannerFacts {
  version: string;
  /** Web UI addresses, best first (none when the API is off). */
  webUi: string[];
  nfs: { port: number; mountPort: number } | null;
  smb: { port: number } | null;
  dataDir: string;
  generatedPassword?: string;
}

export function formatBanner(f: BannerFacts): string {
  const rows: [string, string][] = [
    ['Web UI', f.webUi.length > 0 ? f.webUi.join('  or  ') : 'off (api.enabled is false)'],
    [
      'NFS',
      f.nfs
        ? `port ${f.nfs.port}${f.nfs.mountPort === f.nfs.port ? ' (MOUNT on the same port)' : `, MOUNT on port ${f.nfs.mountPort}`}`
        : 'not running',
    ],
    ['SMB', f.smb ? `port ${f.smb.port}` : 'not running'],
    ['Data', f.dataDir],
  ];
  if (f.generatedPassword)
    rows.push([
      'Sign in',
      `user "admin", password ${f.generatedPassword}\n${' '.repeat(12)}(generated: shown only this once; you choose a new one at first sign-in)`,
    ]);
  const body = rows.map(([k, v]) => `  ${k.padEnd(8)}  ${v}`).join('\n');
  return `\nDittoFS ${f.version} is serving.\n\n${body}\n\n  Stop with Ctrl-C. Shares and how to connect to them are in the web UI.\n\n`;
}
