/**
 * GET /api/v1/events: the runtime's event hub as Server-Sent Events. The access token
 * comes in the Authorization header or `?access_token=` (EventSource cannot set headers);
 * the stream ends when that token expires, so a client reconnects with a fresh one.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { EVENT_TOPICS, EventsQuery, type EventTopic, type ServerEvent } from '../../shared/api/events.ts';
import { API_PREFIX, EVENTS_PATH } from '../../shared/api/operations.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { authorize, bearerToken, parsePart } from './server.ts';

const HEARTBEAT_MS = 15_000;
/** A client that stops reading is dropped once this much is queued for it. */
const MAX_BUFFERED = 1024 * 1024;

export function registerEvents(app: FastifyInstance, runtime: Runtime): void {
  const streams = new Set<() => void>();

  app.get(`${API_PREFIX}${EVENTS_PATH}`, { config: { op: 'events.stream' } }, async (req, reply) => {
    const query = parsePart('query', EventsQuery, req.query);
    const { claims } = await authorize(runtime, bearerToken(req) ?? query.access_token, 'operator');
    const topics = query.topics ? (query.topics.split(',') as EventTopic[]) : [...EVENT_TOPICS];

    reply.hijack();
    const res: ServerResponse = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 3000\n\n');
    res.flushHeaders();

    let seq = 0;
    let closed = false;
    const write = (chunk: string) => {
      if (closed) return;
      if (res.writableLength > MAX_BUFFERED) {
        close();
        return;
      }
      res.write(chunk);
    };
    const send = (e: ServerEvent) => write(`id: ${++seq}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
    const unsubscribe = runtime.events.subscribe(send, topics);
    const ping = setInterval(() => write(': ping\n\n'), HEARTBEAT_MS);
    const expiry = setTimeout(() => close(), Math.max(0, claims.exp * 1000 - Date.now()));
    function close(): void {
      if (closed) return;
      closed = true;
      unsubscribe();
      clearInterval(ping);
      clearTimeout(expiry);
      streams.delete(close);
      res.end();
    }
    streams.add(close);
    req.raw.on('close', close);
    res.on('error', close);
    req.log.debug({ topics }, 'event stream opened');
  });

  app.addHook('preClose', (done) => {
    for (const close of [...streams]) close();
    done();
  });
}
