/**
 * The web UI: the built renderer (out/renderer, `npm run build:app` or `build:app`) served
 * at / by the API server, so a headless `dfs` is managed from a browser. Only GET; only
 * files under the build directory (hashed assets cached for good, index.html never);
 * the same strict CSP as the desktop window.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

export const WEB_UI_CSP = [
  `default-src 'none'`,
  `script-src 'self'`,
  `style-src 'self'`,
  `img-src 'self' data:`,
  `font-src 'self'`,
  `connect-src 'self'`,
  `base-uri 'none'`,
  `form-action 'none'`,
  `frame-ancestors 'none'`,
  `object-src 'none'`,
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.map': 'application/json',
};

/** Where the built renderer is: next to the source tree (dfs) or to the bundle (Electron). */
export function defaultWebUiDir(): string | undefined {
  // path.join, not new URL(..., import.meta.url): bundlers would treat that as an asset.
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [
    path.join(here, '..', '..', '..', 'out', 'renderer'), // src/server/api/static.ts
    path.join(here, '..', 'renderer'), // out/main/utility.js (bundled)
  ];
  return candidates.find((d) => existsSync(path.join(d, 'index.html')));
}

function secure(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', WEB_UI_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'no-referrer')
    .header('cross-origin-opener-policy', 'same-origin');
}

const NOT_BUILT = `<!doctype html><html lang="en"><meta charset="utf-8"><title>DittoFS</title>
<body><h1>DittoFS</h1><p>The API is running, but the web UI has not been built.
Run <code>npm run build:app</code> and reload this page.</p></body></html>`;

/** Registers GET /, the favicon and GET /assets/* on the API's fastify instance. */
export function registerWebUi(app: FastifyInstance, dir?: string): void {
  // Looked up per request: a UI built after the server started is served without a restart.
  const rootDir = (): string | undefined => (dir ? path.resolve(dir) : defaultWebUiDir());

  const sendIndex = async (reply: FastifyReply) => {
    secure(reply).header('cache-control', 'no-cache');
    const root = rootDir();
    if (!root) return reply.code(503).type('text/html; charset=utf-8').send(NOT_BUILT);
    try {
      return reply.type(TYPES['.html'] as string).send(await readFile(path.join(root, 'index.html')));
    } catch {
      return reply.code(503).type('text/html; charset=utf-8').send(NOT_BUILT);
    }
  };

  app.get('/', { config: { op: 'webui' } }, (_req, reply) => sendIndex(reply));
  app.get('/index.html', { config: { op: 'webui' } }, (_req, reply) => sendIndex(reply));
  // The build's public/favicon.png; /favicon.ico is where browsers look without a <link>.
  for (const url of ['/favicon.ico', '/favicon.png']) {
    app.get(url, { config: { op: 'webui' } }, async (_req, reply) => {
      const root = rootDir();
      const data = root ? await readFile(path.join(root, 'favicon.png')).catch(() => undefined) : undefined;
      if (!data) return reply.callNotFound();
      return secure(reply).header('cache-control', 'public, max-age=86400').type('image/png').send(data);
    });
  }
  app.get('/assets/:file', { config: { op: 'webui' } }, async (req, reply) => {
    const file = (req.params as { file: string }).file;
    const root = rootDir();
    // One path segment of safe characters: no traversal, no hidden files.
    if (!root || !/^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/.test(file)) return reply.callNotFound();
    const full = path.join(root, 'assets', file);
    let data: Buffer;
    try {
      data = await readFile(full);
    } catch {
      return reply.callNotFound();
    }
    return secure(reply)
      .header('cache-control', 'public, max-age=31536000, immutable')
      .type(TYPES[path.extname(file)] ?? 'application/octet-stream')
      .send(data);
  });
}
