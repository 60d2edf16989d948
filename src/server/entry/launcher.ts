/**
 * Who started this server: a service manager, the desktop app, or a person by hand. The
 * UI only says "runs as a service" when it does (issue 11), and the terminal banner is for
 * people, not journals.
 */
import { fstatSync } from 'node:fs';
import type { Launcher } from '../../shared/api/schemas.ts';

export interface LaunchFacts {
  env: NodeJS.ProcessEnv;
  /** device:inode of stderr, as systemd writes it in JOURNAL_STREAM. */
  stderrId: string | undefined;
  ppid: number;
  stdinIsTty: boolean;
}

function stderrId(): string | undefined {
  try {
    const s = fstatSync(2);
    return `${s.dev}:${s.ino}`;
  } catch {
    return undefined;
  }
}

export function launchFacts(): LaunchFacts {
  return { env: process.env, stderrId: stderrId(), ppid: process.ppid, stdinIsTty: process.stdin.isTTY === true };
}

/**
 * systemd: stderr is the journal stream it names (sd_journal_stream_fd(3) says to compare,
 * since shells in a terminal inherit the variable); launchd: a job label in
 * XPC_SERVICE_NAME; otherwise an init-adopted process with no terminal.
 */
export function detectLauncher(f: LaunchFacts = launchFacts()): Exclude<Launcher, 'desktop'> {
  const journal = f.env['JOURNAL_STREAM'];
  if (journal && f.stderrId !== undefined && journal === f.stderrId) return 'service';
  const xpc = f.env['XPC_SERVICE_NAME'];
  if (xpc && xpc !== '0' && !xpc.startsWith('application.')) return 'service';
  if (f.ppid === 1 && !f.stdinIsTty) return 'service';
  return 'manual';
}
