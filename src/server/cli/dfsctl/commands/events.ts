/** dfsctl events: the live event stream (Server-Sent Events), not an operation. */
import { problemFrom } from '../../../../shared/api/client.ts';
import { EVENT_TOPICS } from '../../../../shared/api/events.ts';
import { API_PREFIX, EVENTS_PATH } from '../../../../shared/api/operations.ts';
import { intArg } from '../args.ts';
import { sub, type Cli } from '../cli.ts';
import { action } from '../errors.ts';

export function registerEvents(cli: Cli): void {
  sub(cli.program, 'events', 'print the live event stream (one JSON object per line) until interrupted')
    .option('--topics <list>', `comma-separated: ${EVENT_TOPICS.join(',')}`)
    .option('--count <n>', 'stop after n events', intArg)
    .action(
      action(async (o: { topics?: string; count?: number }) => {
        const s = cli.session();
        let token: string | undefined;
        // A cheap authenticated call refreshes the tokens if needed.
        await s.client().call('auth.me', {});
        token = s.ctx.accessToken;
        const url = `${s.server}${API_PREFIX}${EVENTS_PATH}${o.topics ? `?topics=${encodeURIComponent(o.topics)}` : ''}`;
        const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } });
        token = undefined;
        if (!res.ok || !res.body) throw problemFrom(res.status, await res.json().catch(() => undefined));
        let seen = 0;
        let buf = '';
        const decoder = new TextDecoder();
        for await (const chunk of res.body) {
          buf += decoder.decode(chunk as Uint8Array, { stream: true });
          let i: number;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const frame = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const data = frame
              .split('\n')
              .filter((l) => l.startsWith('data: '))
              .map((l) => l.slice(6))
              .join('\n');
            if (!data) continue;
            process.stdout.write(`${data}\n`);
            if (o.count !== undefined && ++seen >= o.count) process.exit(0);
          }
        }
      }),
    );
}
