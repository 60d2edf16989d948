/**
 * The NFS versions an adapter serves, from its `minVersion` / `maxVersion` settings: NFSv3
 * when the range starts at 3, and the NFSv4 minor versions inside the range.
 */
import { z } from 'zod';

export const NFS_VERSIONS = ['3', '4.0', '4.1', '4.2'] as const;
export type NfsVersion = (typeof NFS_VERSIONS)[number];
export const NfsVersionSetting = z.enum(NFS_VERSIONS);

export interface ServedVersions {
  v3: boolean;
  /** The NFSv4 minor versions, or undefined when no v4 is served. */
  v4: { min: number; max: number } | undefined;
}

const minorOf = (v: NfsVersion): number => (v === '3' ? -1 : Number(v.slice(2)));

/** Undefined when the range is empty (min above max). */
export function servedVersions(min: NfsVersion, max: NfsVersion): ServedVersions | undefined {
  const lo = minorOf(min);
  const hi = minorOf(max);
  if (lo > hi) return undefined;
  return { v3: lo < 0, v4: hi < 0 ? undefined : { min: Math.max(0, lo), max: hi } };
}
