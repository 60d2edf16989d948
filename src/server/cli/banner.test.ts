import { describe, expect, it } from 'vitest';
import { prettyLine } from '../logging/pretty.ts';
import { formatBanner } from './banner.ts';

describe('dfs start on a terminal', () => {
  it('the banner names the web UI, the real ports, the data folder and a generated password', () => {
    const text = formatBanner({
      version: '0.1.0',
      webUi: ['http://127.0.0.1:8080/', 'http://192.168.1.20:8080/'],
      nfs: { port: 12049, mountPort: 12049 },
      smb: null,
      dataDir: '/home/me/.local/share/dittofs',
      generatedPassword: 'Xy7-generated',
    });
    expect(text).toContain('DittoFS 0.1.0 is serving.');
    expect(text).toContain('Web UI    http://127.0.0.1:8080/  or  http://192.168.1.20:8080/');
    expect(text).toContain('NFS       port 12049 (MOUNT on the same port)');
    expect(text).toContain('SMB       not running');
    expect(text).toContain('Data      /home/me/.local/share/dittofs');
    expect(text).toContain('user "admin", password Xy7-generated');
    const quiet = formatBanner({
      version: '0.1.0',
      webUi: [],
      nfs: { port: 2049, mountPort: 20048 },
      smb: { port: 445 },
      dataDir: '/d',
    });
    expect(quiet).toContain('NFS       port 2049, MOUNT on port 20048');
    expect(quiet).toContain('SMB       port 445');
    expect(quiet).toContain('Web UI    off');
    expect(quiet).not.toContain('password');
  });

  it('log lines read as words, with the fields after; anything not JSON passes as it is', () => {
    const line = JSON.stringify({
      level: 30,
      time: '2026-12-04T21:03:05.000Z',
      pid: 7,
      adapter: 'nfs',
      bind: '0.0.0.0',
      port: 12049,
      msg: 'listening',
    });
    expect(prettyLine(line, false)).toMatch(
      /^\d\d:\d\d:\d\d INFO {2}listening {2}adapter=nfs bind=0.0.0.0 port=12049$/,
    );
    expect(prettyLine(JSON.stringify({ level: 50, msg: 'start failed', err: 'no space left' }), false)).toContain(
      'ERROR start failed  err="no space left"',
    );
    expect(prettyLine(line, true)).toContain('\x1b[32mINFO \x1b[0m');
    expect(prettyLine('plain text', false)).toBe('plain text');
  });
});
