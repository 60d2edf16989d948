/**
 * The stable-storage record of NFSv4 clients (RFC 7530 §9.6.2): the names of clients that
 * hold state, kept in a small file so that after a restart the server knows whether anyone
 * may need to reclaim (then it waits out a grace period) or not (then it skips it).
 * Written on client confirmation and expiry only, atomically (temp file + rename).
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface ClientRecords {
  load(): string[];
  save(names: string[]): void;
}

const FILE = 'nfs4-clients.json';

/** `name`: the file in `dir` (NLM keeps its hosts in another one, nlm/state.ts). */
export function fileClientRecords(dir: string, name = FILE): ClientRecords {
  const file = path.join(dir, name);
  return {
    load() {
      try {
        const v: unknown = JSON.parse(readFileSync(file, 'utf8'));
        return Array.isArray(v) ? v.filter((n): n is string => typeof n === 'string') : [];
      } catch {
        return []; // none yet, or unreadable: nobody to wait for
      }
    },
    save(names) {
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(names));
      renameSync(tmp, file);
    },
  };
}

/** For servers without a state directory (tests): nothing outlives the process. */
export const noClientRecords: ClientRecords = { load: () => [], save: () => {} };
