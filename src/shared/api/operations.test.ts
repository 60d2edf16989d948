import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildHttpRequest, fillPath, OPERATION_IDS, OPERATIONS, roleAllows, type OperationDef } from './operations.ts';
import { CreateShareRequest, ShareNameParam, UsernameSchema } from './schemas.ts';

describe('the operation table', () => {
  it('has one operation per method and path, with a schema for every path parameter', () => {
    const seen = new Set<string>();
    for (const id of OPERATION_IDS) {
      const def: OperationDef = OPERATIONS[id];
      const key = `${def.method} ${def.path}`;
      expect(seen.has(key), key).toBe(false);
      seen.add(key);
      const names = [...def.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]);
      const shape = def.params instanceof z.ZodObject ? Object.keys(def.params.shape) : [];
      expect(shape.sort(), id).toEqual(names.sort());
      expect(def.method === 'GET' ? def.body : undefined, `${id}: GET with a body`).toBeUndefined();
      if (def.status === 204) expect(def.response, id).toBeInstanceOf(z.ZodVoid);
    }
  });

  it('orders roles admin > operator > user', () => {
    expect(roleAllows('admin', 'operator')).toBe(true);
    expect(roleAllows('operator', 'admin')).toBe(false);
    expect(roleAllows('user', 'user')).toBe(true);
    expect(roleAllows('user', 'public')).toBe(true);
  });

  it('builds HTTP requests with encoded path parameters and a query', () => {
    expect(fillPath('/shares/:name', { name: '/media/photos' })).toBe('/shares/%2Fmedia%2Fphotos');
    expect(buildHttpRequest('shares.update', { params: { name: '/x' }, body: { readOnly: true } })).toEqual({
      method: 'PATCH',
      url: '/api/v1/shares/%2Fx',
      body: { readOnly: true },
    });
    expect(buildHttpRequest('users.list', {})).toEqual({ method: 'GET', url: '/api/v1/users', body: undefined });
    expect(buildHttpRequest('shares.enable', { params: { name: '/x' } }).body).toBeUndefined();
    expect(() => buildHttpRequest('users.get', { params: {} as { username: string } })).toThrow(/username/);
  });
});

describe('schemas', () => {
  it('validates share names as export paths; a path parameter may omit the leading slash', () => {
    expect(ShareNameParam.parse('export')).toBe('/export');
    expect(ShareNameParam.parse('/media/photos')).toBe('/media/photos');
    for (const bad of ['/', '/a/../b', '/a b', '//x', '/x/', '/.', 'x'.repeat(300)])
      expect(ShareNameParam.safeParse(bad).success, bad).toBe(false);
  });

  it('rejects unknown fields in request bodies (a typo never passes silently)', () => {
    const r = CreateShareRequest.safeParse({ name: '/a', metadataStore: 'm', payloadStore: 'p', readonly: true });
    expect(r.success).toBe(false);
  });

  it('checks user names', () => {
    expect(UsernameSchema.safeParse('alice.b-c_1').success).toBe(true);
    for (const bad of ['', '1abc', 'a b', 'a/b', 'x'.repeat(33)])
      expect(UsernameSchema.safeParse(bad).success, bad).toBe(false);
  });
});
