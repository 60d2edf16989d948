/**
 * The share wizard's first question, where the files live: a folder of this computer,
 * served as it is (the default, docs/folder-shares.md), or DittoFS storage (an existing
 * payload store, or a new S3 bucket). Folder answers are checked with the server
 * (`folders.check`) as the user types and again before going on.
 */
import { useEffect, useState } from 'react';
import type { FolderCheckDto } from '../../../shared/api/index.ts';
import { useOp } from '../../lib/api.tsx';
import type { FieldErrors } from '../../lib/forms.ts';
import { EMPTY_S3, s3FormErrors, type S3Form } from '../../lib/s3-form.ts';

export interface FolderWhere {
  kind: 'folder';
  path: string;
  /** The user agreed to have a missing folder made. */
  createMissing: boolean;
  /** The user agreed to share a folder inside or around another share's folder. */
  allowNested: boolean;
}
export interface S3Where extends S3Form {
  kind: 's3';
}
export type Where = FolderWhere | { kind: 'store'; payloadStore: string } | S3Where;

export const NEW_FOLDER: FolderWhere = { kind: 'folder', path: '', createMissing: false, allowNested: false };
export const NEW_BUCKET: S3Where = { kind: 's3', ...EMPTY_S3 };

/** A full path: `/…`, `C:\…` or a UNC path. */
export const isFullPath = (p: string): boolean => /^(\/|[A-Za-z]:[\\/]|\\\\)/.test(p.trim());

/** What can be said of the answer without asking the server. */
export function whereErrors(where: Where): FieldErrors {
  const e: FieldErrors = {};
  if (where.kind === 'store' && !where.payloadStore) e['where'] = 'Pick a store, or choose a folder.';
  if (where.kind === 'folder') {
    if (!where.path.trim()) e['path'] = 'Enter the full path of a folder, such as /home/me/Pictures.';
    else if (!isFullPath(where.path)) e['path'] = 'Enter a full path (starting with / or a drive letter).';
  }
  return where.kind === 's3' ? { ...e, ...s3FormErrors(where) } : e;
}

/** Shares whose folders overlap this one, in words; undefined when none do. */
export function overlapOf(c: FolderCheckDto): string | undefined {
  if (c.nestedIn.length > 0) return `It is inside the folder of ${c.nestedIn.join(', ')}`;
  if (c.contains.length > 0) return `It contains the folder of ${c.contains.join(', ')}`;
  return undefined;
}

/** Why the wizard may not go on with this folder yet (a sentence), given the server's check. */
export function folderRefusal(c: FolderCheckDto, where: FolderWhere): string | undefined {
  if (!c.exists && isFullPath(c.path) && !c.insideDataDir) {
    return where.createMissing
      ? undefined
      : `There is no folder ${c.path}. Tick "Create this folder" to have it made, or correct the path.`;
  }
  if (c.problem !== null) return c.problem;
  const overlap = overlapOf(c);
  if (overlap !== undefined && !where.allowNested) {
    return `${overlap}: the same files would be reachable through two shares. Tick "Share it anyway" if that is what you want.`;
  }
  return undefined;
}

/** The server's check of `path`, once typing has paused; undefined while there is none for this very path. */
export function useFolderCheck(path: string): FolderCheckDto | undefined {
  const [settled, setSettled] = useState(path);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(path), 350);
    return () => clearTimeout(timer);
  }, [path]);
  const q = useOp('folders.check', { query: { path: settled } }, { enabled: isFullPath(settled), retry: false });
  return q.data !== undefined && q.data.path === path ? q.data : undefined;
}
