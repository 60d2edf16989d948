/** What the share wizard has been told so far, and small helpers on it. */
import type { AccessPreset, ShareAccess } from '../../../shared/api/index.ts';
import { SHARE_NAME_FORBIDDEN, SHARE_NAME_MAX } from '../../../shared/api/share-names.ts';
import type { Where } from './where.ts';

export type Grid = Record<string, ShareAccess | 'inherit'>; // key: "user:alice" / "group:staff"

export interface WizardState {
  where: Where;
  name: string;
  nameTouched: boolean;
  nfs: boolean;
  smb: boolean;
  preset: AccessPreset;
  grid: Grid;
  allowedNetworks: string;
  squash: 'root_to_guest' | 'all_to_guest' | 'none';
  browsable: boolean;
  encrypt: boolean;
  hostsAllow: string;
  hostsDeny: string;
}

/** What root on an NFS client may do: the choices of the wizard and of the share editor. */
export const SQUASH_OPTIONS = [
  { value: 'root_to_guest', label: 'Act as guest (recommended)' },
  { value: 'all_to_guest', label: 'Everyone acts as guest' },
  { value: 'none', label: 'Keep root (no squash)' },
] as const;

export const splitList = (s: string): string[] =>
  s
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter(Boolean);

/** "/home/me/Photos Backup" -> "/Photos Backup": the folder's name, less what SMB forbids (share-names.ts). */
export function suggestShareName(source: string): string {
  const base =
    source
      .replace(/[\\/]+$/, '')
      .split(/[\\/]/)
      .pop() ?? '';
  const forbidden = new Set([...SHARE_NAME_FORBIDDEN]);
  const slug = [...base]
    .map((c) => (forbidden.has(c) || /\p{Cc}/u.test(c) ? '_' : c))
    .join('')
    .replace(/^[._\s]+/, '')
    .slice(0, SHARE_NAME_MAX - 1)
    .trim();
  return slug && slug !== '.' && slug !== '..' ? `/${slug}` : '';
}

export function uniqueName(base: string, taken: Set<string>): string {
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
}

/** Where the files live, in words (the summary before creating). */
export function whereSummary(where: Where): string {
  if (where.kind === 'store') return `DittoFS storage ${where.payloadStore}`;
  if (where.kind === 's3') return `S3 bucket ${where.bucket}`;
  return where.createMissing ? `the new folder ${where.path}` : `the folder ${where.path}`;
}

/** What a share name is suggested from. */
export const whereSource = (where: Where): string =>
  where.kind === 'folder' ? where.path : where.kind === 's3' ? where.bucket : where.payloadStore;
