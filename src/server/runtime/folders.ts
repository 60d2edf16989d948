/**
 * Folders sub-service: what a folder of this computer is to dfs (can it be shared? which
 * shares already serve it, or a folder around or inside it?), and the folder stores of the
 * folder shares. Every share on one folder uses the same store, so one index: their handles
 * and the owners and modes clients set agree (docs/folder-shares.md).
 */
import { createHash } from 'node:crypto';
import { accessSync, constants, mkdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { DittoError } from '../../shared/errors.ts';
import type { FolderCheckDto } from '../../shared/api/schemas.ts';
import type { ControlPlaneStore } from '../controlplane/store/store.ts';
import { FolderStore } from '../folder/folder-store.ts';

interface OpenFolder {
  store: Promise<FolderStore>;
  users: number;
}

/** `child` is `parent` or lies below it. */
function within(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** The real path of an existing path; the path itself (resolved) otherwise. */
function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

function can(p: string, mode: number): boolean {
  try {
    accessSync(p, mode);
    return true;
  } catch {
    return false;
  }
}

export class FoldersService {
  private readonly open = new Map<string, OpenFolder>();

  constructor(
    private readonly store: ControlPlaneStore,
    private readonly dataDir: string,
    private readonly logger: Logger,
  ) {}

  /**
   * What sharing `folder` would mean; `problem` is the sentence that refuses it, if any.
   * `exceptShare` leaves a share out (the one being changed).
   */
  async check(folder: string, exceptShare?: string): Promise<FolderCheckDto> {
    if (!path.isAbsolute(folder)) {
      return this.refused(
        folder,
        `The folder must be given by its full path, such as /home/me/Photos (not "${folder}").`,
      );
    }
    const realPath = real(folder);
    let isDirectory = false;
    let exists = true;
    let owner: FolderCheckDto['owner'] = null;
    try {
      const st = statSync(realPath);
      isDirectory = st.isDirectory();
      owner = { uid: st.uid, gid: st.gid };
    } catch {
      exists = false;
    }
    const dataDir = real(this.dataDir);
    const shares = (await this.store.listShares()).filter((s) => s.kind === 'folder' && s.name !== exceptShare);
    const sharedAs: string[] = [];
    const nestedIn: string[] = [];
    const contains: string[] = [];
    for (const s of shares) {
      const other = real(s.path);
      if (other === realPath) sharedAs.push(s.name);
      else if (within(realPath, other)) nestedIn.push(s.name);
      else if (within(other, realPath)) contains.push(s.name);
    }
    const result: FolderCheckDto = {
      path: folder,
      realPath,
      exists,
      isDirectory,
      readable: exists && can(realPath, constants.R_OK | constants.X_OK),
      writable: exists && can(realPath, constants.W_OK),
      insideDataDir: within(realPath, dataDir),
      containsDataDir: within(dataDir, realPath),
      sharedAs,
      nestedIn,
      contains,
      owner,
      problem: null,
    };
    result.problem = this.problemOf(result, dataDir);
    return result;
  }

  /**
   * Throws, with the sentence that says why, unless `folder` may be shared: VALIDATION for a
   * folder that cannot be, NOT_FOUND for a missing one (unless `create`, which makes it and
   * its missing parents), CONFLICT for one inside or around another share's folder (unless
   * `allowNested`: the user confirmed). Returns the folder's real path.
   */
  async requireShareable(
    folder: string,
    opts: { create?: boolean; allowNested?: boolean; exceptShare?: string } = {},
  ): Promise<string> {
    let c = await this.check(folder, opts.exceptShare);
    if (opts.create && path.isAbsolute(folder) && !c.exists && !c.insideDataDir) {
      mkdirSync(folder, { recursive: true });
      this.logger.info({ folder }, 'created the folder for a share');
      c = await this.check(folder, opts.exceptShare);
    }
    if (c.problem !== null)
      throw new DittoError(c.exists || !path.isAbsolute(folder) ? 'VALIDATION' : 'NOT_FOUND', c.problem);
    const near =
      c.nestedIn.length > 0
        ? `inside the folder of share ${c.nestedIn.join(', ')}`
        : c.contains.length > 0
          ? `around the folder of share ${c.contains.join(', ')}`
          : undefined;
    if (near !== undefined && !opts.allowNested) {
      throw new DittoError(
        'CONFLICT',
        `${folder} is ${near}: clients would reach the same files through two shares. Confirm to share it anyway (allowNested).`,
      );
    }
    return c.realPath;
  }

  /** The folder store of `realPath`, opened on first use and shared by every share on the folder. */
  async acquire(realPath: string): Promise<FolderStore> {
    let entry = this.open.get(realPath);
    if (entry === undefined) {
      const key = createHash('sha256').update(realPath).digest('hex').slice(0, 24);
      const store = FolderStore.open({ path: realPath, indexPath: path.join(this.dataDir, 'folders', `${key}.db`) });
      entry = { store, users: 0 };
      this.open.set(realPath, entry);
      store.catch(() => this.open.delete(realPath));
    }
    entry.users++;
    try {
      return await entry.store;
    } catch (err) {
      entry.users--;
      throw err;
    }
  }

  /** One share fewer on the folder; the last one closes its store. */
  async release(realPath: string): Promise<void> {
    const entry = this.open.get(realPath);
    if (entry === undefined || --entry.users > 0) return;
    this.open.delete(realPath);
    await (await entry.store).close();
  }

  async closeAll(): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.allSettled(all.map(async (e) => (await e.store).close()));
  }

  private problemOf(c: FolderCheckDto, dataDir: string): string | null {
    if (!c.exists) return `The folder ${c.path} does not exist.`;
    if (!c.isDirectory) return `${c.path} is a file, not a folder.`;
    if (c.insideDataDir) {
      return `${c.path} is inside dfs's data directory (${dataDir}), where dfs keeps its own databases: choose a folder outside it.`;
    }
    if (c.containsDataDir) {
      return `${c.path} contains dfs's data directory (${dataDir}): sharing it would let clients reach dfs's own databases. Choose a folder that does not contain it.`;
    }
    if (!c.readable) return `dfs may not read ${c.path} (the folder's permissions do not let its user in).`;
    return null;
  }

  private refused(folder: string, problem: string): FolderCheckDto {
    return {
      path: folder,
      realPath: folder,
      exists: false,
      isDirectory: false,
      readable: false,
      writable: false,
      insideDataDir: false,
      containsDataDir: false,
      sharedAs: [],
      nestedIn: [],
      contains: [],
      owner: null,
      problem,
    };
  }
}
