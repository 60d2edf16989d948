import { describe, expect, it } from 'vitest';
import { detectLauncher } from './launcher.ts';

const facts = { env: {}, stderrId: '8:1234', ppid: 4321, stdinIsTty: true };

describe('detectLauncher: a service only when one started us', () => {
  it('a terminal is "manual", even when the shell inherited systemd variables', () => {
    expect(detectLauncher(facts)).toBe('manual');
    expect(detectLauncher({ ...facts, env: { JOURNAL_STREAM: '8:999', INVOCATION_ID: 'x' } })).toBe('manual');
    expect(detectLauncher({ ...facts, env: { XPC_SERVICE_NAME: '0' } })).toBe('manual');
  });

  it('systemd (stderr is the journal), launchd (a job label) and init-adopted daemons are services', () => {
    expect(detectLauncher({ ...facts, env: { JOURNAL_STREAM: '8:1234' } })).toBe('service');
    expect(detectLauncher({ ...facts, env: { XPC_SERVICE_NAME: 'org.dittofs.server' } })).toBe('service');
    expect(detectLauncher({ ...facts, ppid: 1, stdinIsTty: false })).toBe('service');
  });
});
