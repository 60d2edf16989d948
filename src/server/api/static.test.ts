import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { registerWebUi, WEB_UI_CSP } from './static.ts';

describe('web UI static files', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dittofs-webui-'));
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
  writeFileSync(path.join(dir, 'assets', 'index-abc.js'), 'console.log(1)');
  writeFileSync(path.join(dir, 'secret.txt'), 'no');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves index.html at / with the strict CSP and no caching', async () => {
    const app = Fastify();
    registerWebUi(app, dir);
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['content-security-policy']).toBe(WEB_UI_CSP);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.body).toContain('id="root"');
  });

  it('serves hashed assets, cached for good, and nothing else', async () => {
    const app = Fastify();
    registerWebUi(app, dir);
    const js = await app.inject({ method: 'GET', url: '/assets/index-abc.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toMatch(/^text\/javascript/);
    expect(js.headers['cache-control']).toContain('immutable');
    for (const url of [
      '/assets/..%2Fsecret.txt',
      '/assets/.hidden',
      '/secret.txt',
      '/assets/nope.js',
      '/assets/%2e%2e%2fsecret.txt',
    ]) {
      expect((await app.inject({ method: 'GET', url })).statusCode, url).toBe(404);
    }
  });

  it('serves the favicon at /favicon.ico (where browsers look) and /favicon.png', async () => {
    const app = Fastify();
    registerWebUi(app, dir);
    expect((await app.inject({ method: 'GET', url: '/favicon.ico' })).statusCode).toBe(404);
    writeFileSync(path.join(dir, 'favicon.png'), Buffer.from('\x89PNG'));
    for (const url of ['/favicon.ico', '/favicon.png']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toBe('image/png');
    }
  });

  it('says how to build the UI when it is missing', async () => {
    const app = Fastify();
    registerWebUi(app, path.join(dir, 'missing'));
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('npm run build:app');
  });
});
