import { readFileSync } from 'node:fs';

/** User + system CPU seconds of a process, all threads (/proc/<pid>/stat, 100 ticks/s). */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}
