import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** /proc/<pid>/stat's fields after the command name, as numbers (utime is [11]). */
function statFields(pid: number): number[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ').map(Number);
  } catch {
    return undefined;
  }
}

/** User + system CPU seconds of a process, all threads (/proc/<pid>/stat, 100 ticks/s). */
export function cpuSeconds(pid: number): number | undefined {
  const f = statFields(pid);
  return f === undefined ? undefined : (f[11]! + f[12]!) / 100;
}

/**
 * CPU seconds of a process and all its descendants, living or ended (a forking server such as
 * smbd runs each connection in a child that may still be exiting when a figure ends).
 */
export function treeCpuSeconds(pid: number): number | undefined {
  const own = statFields(pid);
  if (own === undefined) return undefined;
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    const p = Number(name);
    if (!Number.isInteger(p) || p === pid) continue;
    const f = statFields(p);
    if (f === undefined) continue;
    const siblings = children.get(f[1]!);
    if (siblings === undefined) children.set(f[1]!, [p]);
    else siblings.push(p);
  }
  // utime + stime + the ended children's cutime + cstime, of the process and each descendant.
  const ticks = (f: number[]): number => f[11]! + f[12]! + f[13]! + f[14]!;
  let total = ticks(own);
  const todo = [...(children.get(pid) ?? [])];
  for (let p = todo.pop(); p !== undefined; p = todo.pop()) {
    const f = statFields(p);
    if (f !== undefined) total += ticks(f);
    todo.push(...(children.get(p) ?? []));
  }
  return total / 100;
}

/**
 * Waits until the server has been quiet (under 10% of a core over each half second) for a
 * whole second or `maxMs` have passed, so that one figure's background work (dfs carving the
 * files a figure wrote, which starts after half a second without writes; a forking server's
 * exiting children) does not land in the next figure, then syncs the file systems. Returns how
 * long that took and the CPU the server used meanwhile, for the report.
 */
export async function settle(pid: number, maxMs = 60_000): Promise<{ ms: number; cpu: number }> {
  const started = performance.now();
  const first = treeCpuSeconds(pid);
  let last = first;
  let quietWindows = 0;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const now = treeCpuSeconds(pid);
    if (now === undefined || last === undefined || first === undefined) return { ms: 0, cpu: 0 };
    quietWindows = now - last < 0.05 ? quietWindows + 1 : 0;
    last = now;
    if (quietWindows >= 2 || performance.now() - started >= maxMs) {
      // What the figure left dirty in the page cache is written back now, not under the next
      // figure (of the next server): a 1 GiB put's writeback had cut the get after it to a
      // quarter.
      spawnSync('sync');
      return { ms: performance.now() - started, cpu: now - first };
    }
  }
}
