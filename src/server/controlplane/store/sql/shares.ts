/**
 * The shares table. Share ids are in NFS file handles: they come from AUTOINCREMENT
 * (SQLite) or an identity sequence (PostgreSQL) and are never reused.
 */
import { DittoError } from '../../../../shared/errors.ts';
import {
  SHARE_DEFAULTS,
  type MetadataStoreType,
  type NewShare,
  type PayloadStoreType,
  type Share,
  type SharePatch,
} from '../../models.ts';
import { defined, flag, now, unique } from './common.ts';
import type { SqlDatabase, SqlRunner } from './database.ts';
import type { StoreConfigTable } from './store-configs.ts';

interface ShareRow {
  id: number;
  name: string;
  kind: Share['kind'];
  metadata_store: string | null;
  payload_store: string | null;
  folder_path: string | null;
  enabled: number;
  read_only: number;
  squash: Share['squash'];
  anon_uid: number;
  anon_gid: number;
  allowed_networks: string;
  nfs: number;
  smb: number;
  smb_options: string;
  guest_access: Share['guestAccess'];
  default_access: Share['defaultAccess'];
  durability: Share['durability'];
  description: string;
  created_at: string;
}

/** The store configs a managed share must name. */
export interface ShareStores {
  metadata: StoreConfigTable<MetadataStoreType>;
  payload: StoreConfigTable<PayloadStoreType>;
}

/** Every column a share's fields set (not id, name, kind, created_at). */
const COLUMNS = [
  'metadata_store',
  'payload_store',
  'folder_path',
  'enabled',
  'read_only',
  'squash',
  'anon_uid',
  'anon_gid',
  'allowed_networks',
  'nfs',
  'smb',
  'smb_options',
  'guest_access',
  'default_access',
  'durability',
  'description',
] as const;

const INSERT = `INSERT INTO shares (${COLUMNS.join(', ')}, name, kind, created_at)
  VALUES (${[...COLUMNS, 'name', 'kind', 'created_at'].map(() => '?').join(', ')}) RETURNING id`;
const UPDATE = `UPDATE shares SET ${COLUMNS.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`;

function toShare(r: ShareRow): Share {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    path: r.folder_path ?? '',
    metadataStore: r.metadata_store ?? '',
    payloadStore: r.payload_store ?? '',
    enabled: r.enabled === 1,
    readOnly: r.read_only === 1,
    squash: r.squash,
    anonUid: r.anon_uid,
    anonGid: r.anon_gid,
    allowedNetworks: JSON.parse(r.allowed_networks) as string[],
    protocols: { nfs: r.nfs === 1, smb: r.smb === 1 },
    smb: JSON.parse(r.smb_options) as Share['smb'],
    guestAccess: r.guest_access,
    defaultAccess: r.default_access,
    durability: r.durability,
    description: r.description,
    createdAt: r.created_at,
  };
}

/** The values of COLUMNS, in order. */
function values(s: Omit<Share, 'id' | 'createdAt'>): unknown[] {
  const folder = s.kind === 'folder';
  return [
    folder ? null : s.metadataStore,
    folder ? null : s.payloadStore,
    folder ? s.path : null,
    flag(s.enabled),
    flag(s.readOnly),
    s.squash,
    s.anonUid,
    s.anonGid,
    JSON.stringify(s.allowedNetworks),
    flag(s.protocols.nfs),
    flag(s.protocols.smb),
    JSON.stringify(s.smb),
    s.guestAccess,
    s.defaultAccess,
    s.durability,
    s.description,
  ];
}

export async function findShare(r: SqlRunner, column: 'name' | 'id', value: string | number): Promise<Share> {
  const row = await r.get<ShareRow>(`SELECT * FROM shares WHERE ${column} = ?`, [value]);
  if (!row) {
    throw new DittoError('NOT_FOUND', column === 'id' ? `share id ${value} not found` : `share '${value}' not found`);
  }
  return toShare(row);
}

/**
 * A managed share names two existing stores (NOT_FOUND for a dangling one, with a better
 * message than the FK failure); a folder share names a path and no store.
 */
async function checkStores(
  tx: SqlRunner,
  stores: ShareStores,
  s: Pick<Share, 'kind' | 'path' | 'metadataStore' | 'payloadStore'>,
): Promise<void> {
  if (s.kind === 'folder') {
    if (s.path === '') throw new DittoError('VALIDATION', 'a folder share needs the path of its folder');
    if (s.metadataStore !== '' || s.payloadStore !== '') {
      throw new DittoError('VALIDATION', 'a folder share keeps its files in its folder: it takes no stores');
    }
    return;
  }
  if (s.path !== '') throw new DittoError('VALIDATION', 'a managed share keeps its files in stores: it takes no path');
  if (s.metadataStore === '' || s.payloadStore === '') {
    throw new DittoError('VALIDATION', 'a managed share needs a metadataStore and a payloadStore');
  }
  await stores.metadata.get(s.metadataStore, tx);
  await stores.payload.get(s.payloadStore, tx);
}

export async function listShares(db: SqlDatabase): Promise<Share[]> {
  return (await db.all<ShareRow>('SELECT * FROM shares ORDER BY id')).map(toShare);
}

export function createShare(db: SqlDatabase, stores: ShareStores, input: NewShare): Promise<Share> {
  const { smb, ...rest } = defined(input);
  const share = {
    ...SHARE_DEFAULTS,
    ...rest,
    name: input.name,
    metadataStore: input.metadataStore ?? '',
    payloadStore: input.payloadStore ?? '',
    smb: { ...SHARE_DEFAULTS.smb, ...defined(smb ?? {}) },
  };
  return db.transaction(async (tx) => {
    await checkStores(tx, stores, share);
    const row = await unique(() => tx.get<{ id: number }>(INSERT, [...values(share), share.name, share.kind, now()]), {
      'shares.name': `share '${input.name}' already exists`,
    });
    return findShare(tx, 'id', row!.id);
  });
}

export function updateShare(db: SqlDatabase, stores: ShareStores, name: string, patch: SharePatch): Promise<Share> {
  return db.transaction(async (tx) => {
    const current = await findShare(tx, 'name', name);
    const { smb, ...rest } = defined(patch);
    const share = { ...current, ...rest, smb: { ...current.smb, ...defined(smb ?? {}) } };
    if (share.kind !== current.kind) {
      throw new DittoError('VALIDATION', `share '${name}' is a ${current.kind} share; a share cannot change kind`);
    }
    await checkStores(tx, stores, share);
    await tx.run(UPDATE, [...values(share), current.id]);
    return findShare(tx, 'id', current.id);
  });
}

/** Its permissions go with it (ON DELETE CASCADE). */
export async function deleteShare(db: SqlDatabase, name: string): Promise<void> {
  if ((await db.run('DELETE FROM shares WHERE name = ?', [name])) === 0) {
    throw new DittoError('NOT_FOUND', `share '${name}' not found`);
  }
}
