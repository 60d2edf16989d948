// Share access over NFS, with real libnfs clients (nfs-ls, nfs-cat, nfs-cp with uid= / gid=
// in the URL) against a started dfs: for every access preset the share wizard offers, made
// of the very grants the wizard sets (src/shared/api/presets.ts), each of the owner, a
// read-write user, a read-only user, a member of a granted group, an unknown uid and a
// squashed root is checked to mount, read and write exactly as the preset promises, on a
// managed share and on a folder share alike.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../src/shared/api/client.ts';
import { ACCESS_PRESETS, presetGrants, type AccessPreset } from '../../src/shared/api/presets.ts';
import type { PermissionEntry } from '../../src/shared/api/schemas.ts';
import { adminClient } from '../helpers/api.ts';
import { startDfs, type DfsProcess } from '../helpers/dfs.ts';
import { LIBNFS_DEV, LIBNFS_UTILS, unmet } from '../helpers/requirements.ts';
import { makeTmpDir, removeTmpDir } from '../helpers/tmp.ts';
import { buildLibnfsProgram, run, tail } from './target.ts';

type Who = 'owner' | 'writer' | 'reader' | 'member' | 'unknown' | 'root';
type Outcome = 'none' | 'read' | 'write';
type ShareKind = 'managed' | 'folder';

/** The NFS identities (AUTH_SYS uid:gid); the owner's uid is the admin's, read from the API. */
const UIDS: Record<Exclude<Who, 'owner'>, number> = { writer: 501, reader: 1002, member: 1003, unknown: 4242, root: 0 };

/** "People I choose" as a person would fill the grid: themselves, a writer, a reader, a group. */
const CHOSEN: PermissionEntry[] = [
  { principalType: 'user', principal: 'admin', access: 'write' },
  { principalType: 'user', principal: 'writer', access: 'write' },
  { principalType: 'user', principal: 'reader', access: 'read' },
  { principalType: 'group', principal: 'family', access: 'write' },
];

const EXPECTED: Record<AccessPreset, Record<Who, Outcome>> = {
  me: { owner: 'write', writer: 'none', reader: 'none', member: 'none', unknown: 'none', root: 'none' },
  choose: { owner: 'write', writer: 'write', reader: 'read', member: 'write', unknown: 'none', root: 'none' },
  'everyone-read': { owner: 'write', writer: 'read', reader: 'read', member: 'read', unknown: 'read', root: 'read' },
  'guest-write': { owner: 'write', writer: 'write', reader: 'write', member: 'write', unknown: 'write', root: 'write' },
};

const SEED = 'hello.txt';
const SEED_CONTENT = 'prepared content\n';

describe.skipIf(unmet(LIBNFS_UTILS, LIBNFS_DEV) !== null)('share access over NFS (libnfs)', () => {
  let dfs: DfsProcess;
  let api: ApiClient;
  let client = '';
  let ownerUid = 0;
  let networks: string[] = [];
  const tmp = makeTmpDir('dittofs-access-');
  const local = path.join(tmp, 'upload.txt');

  const url = (share: string, uid: number, file = ''): string =>
    `nfs://127.0.0.1${share}${file ? `/${file}` : ''}?nfsport=${dfs.nfsPort}&mountport=${dfs.mountPort}` +
    `&version=3&uid=${uid}&gid=${uid}`;

  beforeAll(async () => {
    mkdirSync(tmp, { recursive: true });
    writeFileSync(local, 'written over NFS\n');
    client = buildLibnfsProgram('e2e/nfs/libnfs-client.c', 'nfsclient');
    dfs = await startDfs();
    api = await adminClient(dfs);
    ownerUid = (await api.call('users.get', { params: { username: 'admin' } })).uid;
    for (const name of ['writer', 'reader', 'member'] as const) {
      await api.call('users.create', { body: { username: name, password: `${name}-password`, uid: UIDS[name] } });
    }
    await api.call('groups.create', { body: { name: 'family', members: ['member'] } });
    networks = (await api.call('networks.list', {})).map((n) => n.cidr);
  }, 120_000);

  afterAll(async () => {
    await dfs?.stop();
    if (client) removeTmpDir(path.dirname(client));
    removeTmpDir(tmp);
  });

  /** A share set up as the wizard does for `preset`, holding a world-readable SEED owned by root. */
  async function presetShare(preset: AccessPreset, kind: ShareKind): Promise<string> {
    const name = `/p-${kind}-${preset}`;
    const backing =
      kind === 'folder'
        ? { kind, path: path.join(tmp, name) }
        : { metadataStore: 'default-metadata', payloadStore: 'default-payload' };
    // Open to all, as a managed share's root is: the grants, not the folder's mode, decide.
    if (kind === 'folder') {
      mkdirSync(backing.path!, { recursive: true });
      chmodSync(backing.path!, 0o777);
    }
    // Seeded while still open to root, so every reader sees a 0644 file (nfs-cp creates 0660).
    await api.call('shares.create', { body: { name, ...backing, squash: 'none' } });
    const args = ['--nfsport', String(dfs.nfsPort), '--mountport', String(dfs.mountPort), '--export', name];
    const seeded = await run(client, [...args, '--suite', 'prepare', '--prepare-file', SEED], 60_000);
    expect(seeded.code, seeded.output).toBe(0);

    const grants = presetGrants(preset, { owner: 'admin', chosen: CHOSEN, networks });
    await api.call('shares.update', { params: { name }, body: { squash: 'root_to_guest', ...grants.share } });
    for (const p of grants.permissions) {
      await api.call('shares.setPermission', {
        params: { name, principalType: p.principalType, principal: p.principal },
        body: { access: p.access },
      });
    }
    if (grants.needsGuest) await api.call('guest.update', { body: { enabled: true } });
    return name;
  }

  /** Mount + list, read the seed file, write a new file: as far as `uid` gets, with the reason it stopped. */
  async function probe(share: string, who: Who): Promise<{ outcome: Outcome; why: string }> {
    const uid = who === 'owner' ? ownerUid : UIDS[who];
    const ls = await run('nfs-ls', [url(share, uid)], 30_000);
    if (ls.code !== 0) return { outcome: 'none', why: ls.output };
    expect(ls.output, `${who} lists ${share}`).toContain(SEED);
    const cat = await run('nfs-cat', [url(share, uid, SEED)], 30_000);
    expect(cat.code, `${who} reads ${share}/${SEED}: ${cat.output}`).toBe(0);
    expect(cat.output).toBe(SEED_CONTENT);
    const cp = await run('nfs-cp', [local, url(share, uid, `by-${who}.txt`)], 30_000);
    return { outcome: cp.code === 0 ? 'write' : 'read', why: cp.output };
  }

  for (const kind of ['managed', 'folder'] as const)
    for (const preset of ACCESS_PRESETS) {
      it(`${kind} share, preset "${preset}": each caller mounts, reads and writes as the preset promises`, async () => {
        const share = await presetShare(preset, kind);
        const got: Record<string, Outcome> = {};
        for (const who of Object.keys(EXPECTED[preset]) as Who[]) {
          const { outcome, why } = await probe(share, who);
          got[who] = outcome;
          const expected = EXPECTED[preset][who];
          const context = `${preset} / ${who}: ${why}\n--- dfs log (tail) ---\n${tail(dfs.logs(), 3000)}`;
          if (outcome === 'none' && expected === 'none') expect(why, context).toMatch(/MNT3ERR_ACCES/);
          if (outcome === 'read' && expected === 'read') expect(why, context).toMatch(/ROFS|read-only/i);
        }
        expect(got).toEqual(EXPECTED[preset]);
      }, 120_000);
    }
});
