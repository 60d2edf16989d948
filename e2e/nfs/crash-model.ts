/**
 * What crash-writer.c acknowledged, and the check of files read back against it: each byte
 * must be the newest acknowledged write, or an unacknowledged later one (crash.test.ts,
 * cluster-share.test.ts).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { removeTmpDir } from '../helpers/tmp.ts';
import { run } from './target.ts';

/** Byte `off` of pattern `seed`, as crash-writer.c computes it. */
function patternByte(seed: number, off: number): number {
  return ((Math.imul(seed, 2654435761) + Math.imul(off, 40503)) >>> 24) & 0xff;
}

interface Overwrite {
  off: number;
  len: number;
  seed: number;
  acked: boolean;
}

export interface FileModel {
  size: number;
  seed: number;
  overwrites: Overwrite[];
}

/** Why `actual` is not what the model allows, or undefined. */
function check(model: FileModel, actual: Buffer): string | undefined {
  if (actual.length !== model.size) return `size ${actual.length}, expected ${model.size}`;
  for (let off = 0; off < model.size; off++) {
    let allowed = patternByte(model.seed, off);
    let alt = -1;
    for (const o of model.overwrites) {
      if (off < o.off || off >= o.off + o.len) continue;
      if (o.acked) {
        allowed = patternByte(o.seed, off);
        alt = -1;
      } else alt = patternByte(o.seed, off);
    }
    const got = actual[off]!;
    if (got !== allowed && got !== alt) return `byte ${off} is ${got}, expected ${allowed}`;
  }
  return undefined;
}

/** Adds one writer run's output to `models`; returns the files it acknowledged and the overwrites. */
export function recordWriterOutput(
  output: string,
  models: Map<string, FileModel>,
): { names: string[]; bytes: number; overwrites: number } {
  const names: string[] = [];
  let bytes = 0;
  let overwrites = 0;
  for (const line of output.split('\n')) {
    const [kind, name, a, b, c] = line.split(' ');
    if (kind === 'ack') {
      models.set(name!, { size: Number(a), seed: Number(b), overwrites: [] });
      names.push(name!);
      bytes += Number(a);
    } else if (kind === 'begin-over') {
      models.get(name!)!.overwrites.push({ off: Number(a), len: Number(b), seed: Number(c), acked: false });
    } else if (kind === 'ack-over') {
      models.get(name!)!.overwrites.at(-1)!.acked = true;
      overwrites++;
    }
  }
  return { names, bytes, overwrites };
}

/**
 * Copies `names` out through NFS with the writer's read mode (`serverArgs`: its --nfsport,
 * --mountport and --export) into a directory under `work`, and checks each against its model;
 * returns the failures.
 */
export async function verifyFiles(
  writer: string,
  serverArgs: string[],
  work: string,
  models: Map<string, FileModel>,
  names: string[],
): Promise<string[]> {
  const out = path.join(work, `check-${Date.now()}`);
  mkdirSync(out);
  const failures: string[] = [];
  for (let i = 0; i < names.length; i += 200) {
    const batch = names.slice(i, i + 200);
    const r = await run(writer, [...serverArgs, '--out', out, '--read', ...batch], 120_000);
    if (r.code !== 0) failures.push(`reader exited ${r.code}: ${r.output.slice(-2000)}`);
    for (const name of batch) {
      if (r.output.includes(`missing ${name} `)) {
        failures.push(`${name}: missing`);
        continue;
      }
      const why = check(models.get(name)!, readFileSync(path.join(out, name)));
      if (why !== undefined) failures.push(`${name}: ${why}`);
    }
  }
  removeTmpDir(out);
  return failures;
}
