// The test-tool requirements: a missing tool skips with the package named, fails under CI,
// and every package a requirement names is one that scripts/test-all.sh installs.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { REPO_ROOT } from './dfs.ts';
import { LOOP_XFS } from './loop-fs.ts';
import { NETNS } from './netns.ts';
import {
  CHROMIUM_BROWSER,
  IMPACKET,
  KERNEL_CLIENT_GUEST,
  LIBNFS_DEV,
  LIBNFS_UTILS,
  POSTGRESQL,
  POSTGRESQL_SERVER_BINARIES,
  RPCINFO,
  SMBCLIENT,
  SMBTORTURE,
  unmet,
  type Requirement,
} from './requirements.ts';

const absent: Requirement = { what: 'the frobnicator', debianPackages: 'frob-utils', present: () => false };
const here: Requirement = { what: 'sh', debianPackages: 'dash', present: () => true };

describe('test-tool requirements', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('outside CI, names the missing tool and the package to install', () => {
    vi.stubEnv('CI', '');
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(unmet(here)).toBeNull();
    expect(unmet(here, absent)).toBe('the frobnicator missing (apt-get install frob-utils)');
  });

  it('under CI, a missing tool fails instead of skipping', () => {
    vi.stubEnv('CI', 'true');
    expect(() => unmet(absent)).toThrow(
      /CI requires every test tool: the frobnicator missing \(apt-get install frob-utils\)/,
    );
    expect(unmet(here)).toBeNull();
  });

  it('every package a requirement names is installed by scripts/test-all.sh', () => {
    const script = readFileSync(path.join(REPO_ROOT, 'scripts', 'test-all.sh'), 'utf8');
    const code = script.replace(/(^|\s)#.*$/gm, '');
    const installed = new Set(
      [...code.matchAll(/\bpackages\+?=\(([^)]*)\)/g)].flatMap((m) => (m[1] ?? '').trim().split(/\s+/)),
    );
    for (const r of [
      LIBNFS_UTILS,
      LIBNFS_DEV,
      SMBCLIENT,
      SMBTORTURE,
      IMPACKET,
      CHROMIUM_BROWSER,
      KERNEL_CLIENT_GUEST,
      POSTGRESQL,
      POSTGRESQL_SERVER_BINARIES,
      RPCINFO,
      NETNS,
      LOOP_XFS,
    ]) {
      for (const pkg of r.debianPackages.split(' ')) expect(installed, `${r.what}: ${pkg}`).toContain(pkg);
    }
  });
});
