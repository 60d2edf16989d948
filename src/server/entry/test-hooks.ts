import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { isDittoError } from '../../shared/errors.ts';
import type { Logger } from 'pino';
import type { AuthContext } from '../metadata/types.ts';
import type { Lifecycle } from '../runtime/lifecycle.ts';
import type { Runtime } from '../runtime/runtime.ts';
import type { StartPoint } from './server.ts';

/**
 * Test hook (DITTOFS_TEST_HOOKS=1 only): JSON lines on stdin drive the runtime's services
 * directly, so process-level tests can write and read files before any protocol exists.
 *   {"id":1,"op":"write","share":"/export","name":"f","data":"<base64>"}
 *   {"id":2,"op":"read","share":"/export","name":"f"}
 * Each request gets one JSON line on stdout: {"id":1,"ok":true,...} (a read answers size + sha256) or {"id":1,"ok":false,"error":"NOT_FOUND"}.
 *
 * Start-up tests (e2e/foundation/start-signals.test.ts) also use two markers:
 * - bin/dfs.js logs "signals held (test hook)" once SIGINT/SIGTERM can no longer kill it;
 * - DITTOFS_TEST_PAUSE_AT=<point> (see pauseAt) holds start-up at that point until a stop request.
 */
const HOOK_AUTH: AuthContext = { uid: 0, gid: 0, gids: [], clientAddr: 'test-hook' };

interface HookRequest {
  id: number;
  op: 'write' | 'read';
  share: string;
  name: string;
  data?: string;
}

async function handle(runtime: Runtime, req: HookRequest): Promise<Record<string, unknown>> {
  const { metadata, payload } = runtime;
  const root = await metadata.rootHandle(req.share);
  if (req.op === 'write') {
    const data = Buffer.from(req.data ?? '', 'base64');
    const file = await metadata.create(HOOK_AUTH, root, req.name, { mode: 0o644, size: 0 }, { kind: 'unchecked' });
    await payload.truncate(req.share, file.attr.payloadId, 0);
    await payload.writeAt(req.share, file.attr.payloadId, data, 0);
    await metadata.commitWrite(HOOK_AUTH, file.handle, data.length);
    await payload.flush(req.share, file.attr.payloadId);
    return { size: data.length };
  }
  const { handle: fh } = await metadata.lookup(HOOK_AUTH, root, req.name);
  const attr = await metadata.prepareRead(HOOK_AUTH, fh);
  const data = await payload.readAt(req.share, attr.payloadId, 0, attr.size);
  return { size: attr.size, sha256: createHash('sha256').update(data).digest('hex') };
}

export function attachTestHooks(runtime: Runtime, input: Readable, output: Writable): void {
  createInterface({ input }).on('line', (line) => {
    let req: HookRequest;
    try {
      req = JSON.parse(line) as HookRequest;
    } catch {
      output.write(`${JSON.stringify({ ok: false, error: 'BAD_JSON' })}\n`);
      return;
    }
    handle(runtime, req).then(
      (result) => output.write(`${JSON.stringify({ id: req.id, ok: true, ...result })}\n`),
      (err: unknown) =>
        output.write(
          `${JSON.stringify({ id: req.id, ok: false, error: isDittoError(err) ? err.code : String(err) })}\n`,
        ),
    );
  });
}

/**
 * Test hook (DITTOFS_TEST_HOOKS=1 and DITTOFS_TEST_PAUSE_AT=opened|started|listening):
 * start-up logs "start-up paused (test hook)" at that point and waits there until a stop
 * request, so a test can signal the server at an exact moment of its start.
 */
export function pauseAt(
  env: NodeJS.ProcessEnv,
  logger: Logger,
  lifecycle: Lifecycle,
): ((point: StartPoint) => Promise<void>) | undefined {
  const at = env['DITTOFS_TEST_PAUSE_AT'];
  if (env['DITTOFS_TEST_HOOKS'] !== '1' || !at) return undefined;
  return async (point) => {
    if (point !== at || lifecycle.stopRequested.aborted) return;
    logger.info({ point }, 'start-up paused (test hook)');
    await lifecycle.whenStopRequested();
  };
}
