// The dashboard's "Connected now" table in Debian's Chromium with a real SMB client: the row
// of an smbclient session names the dialect it negotiated, and its "Open" cell counts the
// file it holds open, then goes back to "—" once smbclient closes it. Screenshots at 760 px,
// light and dark, under test-output/ui/.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOOPBACK_WITH_SMB } from '../helpers/dfs.ts';
import { SMBCLIENT, unmet } from '../helpers/requirements.ts';
import { smbAdminArgs } from '../helpers/smb.ts';
import {
  hasChromium,
  horizontalOverflow,
  screenshot,
  signInToDashboard,
  startReadyUiServer,
  type UiServer,
} from './helpers.ts';

/** smbclient reading commands from a pipe (stdout line-buffered: it answers `open` there); `said` waits for a match. */
function interactiveSmbclient(args: string[]): {
  child: ChildProcessWithoutNullStreams;
  send(line: string): void;
  said(pattern: RegExp): Promise<string>;
} {
  const child = spawn('stdbuf', ['-oL', 'smbclient', ...args], { stdio: 'pipe' });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return {
    child,
    send: (line) => child.stdin.write(`${line}\n`),
    said: async (pattern) => {
      await expect.poll(() => pattern.test(output), { timeout: 15_000, message: output }).toBe(true);
      return output;
    },
  };
}

describe.skipIf(!hasChromium() || unmet(SMBCLIENT) !== null)(
  'sessions on the dashboard (needs /usr/bin/chromium)',
  () => {
    let ui: UiServer | undefined;

    beforeAll(async () => {
      ui = await startReadyUiServer({ env: LOOPBACK_WITH_SMB });
    }, 240_000);

    afterAll(async () => {
      await ui?.close();
    });

    it("an SMB session's row shows its dialect and the file it holds open", async () => {
      const { page } = ui!.browser;
      await page.setViewportSize({ width: 760, height: 900 });
      await signInToDashboard(page, ui!);

      const smb = interactiveSmbclient(smbAdminArgs(ui!.dfs));
      try {
        smb.send('put /etc/hostname held.txt');
        await smb.said(/putting file/);
        smb.send('open held.txt');
        const opened = await smb.said(/open file .*held\.txt: for read\/write fnum (\d+)/);
        const fnum = /fnum (\d+)/.exec(opened)![1]!;

        const row = page.getByTestId('session-row').filter({ hasText: '/export' });
        const holdings = row.getByTestId('session-holdings');
        await expect.poll(() => holdings.getAttribute('data-opens'), { timeout: 15_000 }).toBe('1');
        expect(await holdings.textContent()).toBe('1 file open · 0 locks');
        // smbclient 4.17 negotiates the highest dialect both sides speak.
        expect(await row.locator('td').nth(1).textContent()).toBe('SMB 3.1.1');
        expect(await row.locator('td').nth(1).getAttribute('title')).toMatch(/^(signed|encrypted|not signed)$/);
        for (const scheme of ['light', 'dark'] as const) {
          await page.emulateMedia({ colorScheme: scheme });
          expect(await horizontalOverflow(page)).toEqual([]);
          await screenshot(page, `dashboard-sessions-open-760-${scheme}`);
        }

        smb.send(`close ${fnum}`);
        await expect.poll(() => holdings.getAttribute('data-opens'), { timeout: 15_000 }).toBe('0');
        expect(await holdings.textContent()).toBe('nothing open');
      } finally {
        smb.send('quit');
        await once(smb.child, 'exit');
        await page.emulateMedia({ colorScheme: 'light' });
      }
    });
  },
);
