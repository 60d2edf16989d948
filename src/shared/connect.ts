/**
 * The lines a person pastes on another device to reach one share: built from the server's
 * connect facts (GET /connect) so they carry a reachable address and the real ports. The
 * web UI (share wizard, first run, Shares' Connect dialog) and the tray's "Copy connect
 * address" use this one generator. Only protocols the share serves and adapters that run
 * get lines.
 */

export interface ConnectPorts {
  /** `locking`: NFSv3 locks work (NLM is found through the portmapper on port 111); else mounts say nolock. */
  nfs: { port: number; mountPort: number; locking?: boolean } | null;
  smb: { port: number } | null;
}

export interface ConnectShare {
  name: string;
  protocols: { nfs: boolean; smb: boolean };
}

export interface ConnectLine {
  id: 'smb-url' | 'windows' | 'windows-port' | 'linux' | 'fstab' | 'macos' | 'finder-nfs';
  label: string;
  value: string;
  /** What to know before using it, in words. */
  note?: string;
}

const SMB_DEFAULT_PORT = 445;

/** "/photos" -> "photos" (the SMB share name). */
export function smbName(share: string): string {
  return share.replace(/^\/+/, '');
}

/** An address as it goes in a URL or `host:/path`: IPv6 in brackets. */
export function urlHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** An address in a UNC path: Windows spells IPv6 literals as `<addr>.ipv6-literal.net`. */
export function uncHost(host: string): string {
  return host.includes(':') ? `${host.replace(/^\[|\]$/g, '').replace(/:/g, '-')}.ipv6-literal.net` : host;
}

/** A path word for a POSIX shell: quoted unless plainly safe. */
function shellWord(s: string): string {
  return /^[A-Za-z0-9._/@%+=:,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The fstab fields escape whitespace as octal (fstab(5)). */
function fstabField(s: string): string {
  return s.replace(/[\s\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

export function connectLines(share: ConnectShare, host: string, ports: ConnectPorts): ConnectLine[] {
  const out: ConnectLine[] = [];
  const name = smbName(share.name);
  const leaf = name.split('/').pop() || 'share';
  const h = urlHost(host);
  if (share.protocols.smb && ports.smb) {
    const p = ports.smb.port;
    out.push({
      id: 'smb-url',
      label: 'macOS Finder (Go › Connect to Server) or a Linux file manager',
      value: `smb://${h}${p === SMB_DEFAULT_PORT ? '' : `:${p}`}/${encodeURI(name)}`,
    });
    const unc = `\\\\${uncHost(host)}\\${name.replace(/\//g, '\\')}`;
    if (p === SMB_DEFAULT_PORT) out.push({ id: 'windows', label: 'Windows Explorer', value: unc });
    else
      out.push({
        id: 'windows-port',
        label: 'Windows 11 (Command Prompt)',
        value: `net use Z: "${unc}" /TCPPORT:${p}`,
        note: `Windows Explorer reaches SMB only on port 445, and this server uses port ${p}, so typing ${unc} in Explorer will not work. Windows 11 (24H2 and later) can map the share with this command; older Windows cannot reach another port.`,
      });
  }
  if (share.protocols.nfs && ports.nfs) {
    const { port, mountPort, locking } = ports.nfs;
    // A Linux client's lockd finds NLM through the server's portmapper on port 111 only.
    const linuxOpts = `nfsvers=3,tcp,port=${port},mountport=${mountPort},mountproto=tcp${locking ? '' : ',nolock'}`;
    const linuxDir = `/mnt/${leaf}`;
    out.push({
      id: 'linux',
      label: 'Linux (terminal)',
      value: `sudo mkdir -p ${shellWord(linuxDir)} && sudo mount -t nfs -o ${linuxOpts} ${shellWord(`${h}:${share.name}`)} ${shellWord(linuxDir)}`,
      ...(locking
        ? {}
        : {
            note: 'nolock: file locks stay on that device, because locking needs this server’s portmapper on port 111 (nfs.portmapper in the configuration). See docs/locking.md.',
          }),
    });
    out.push({
      id: 'fstab',
      label: 'Linux, mounted at every start (a line for /etc/fstab)',
      value: `${fstabField(`${h}:${share.name}`)}  ${fstabField(linuxDir)}  nfs  ${linuxOpts},_netdev  0  0`,
    });
    // macOS: / is a read-only system volume, so the mount point goes in the home folder.
    const macDir = `~/mnt/${shellWord(leaf)}`;
    out.push({
      id: 'macos',
      label: 'macOS (Terminal)',
      // nolocks even when Linux may lock: macOS's lockd sends NLM *_MSG calls and waits for the
      // *_RES at its own NLM service, a call to the client this server never makes (docs/locking.md).
      value: `mkdir -p ${macDir} && sudo mount_nfs -o vers=3,tcp,port=${port},mountport=${mountPort},nolocks ${shellWord(`${h}:${share.name}`)} ${macDir}`,
    });
    out.push({
      id: 'finder-nfs',
      label: 'macOS Finder (Go › Connect to Server)',
      value: `nfs://${h}:${port}${encodeURI(share.name)}`,
      note: 'Finder cannot be told the MOUNT port: it asks a portmapper on port 111 for it, which this server does not run by default. If Finder cannot connect, use the Terminal line.',
    });
  }
  return out;
}
