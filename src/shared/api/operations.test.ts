import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildHttpRequest, fillPath, OPERATION_IDS, OPERATIONS, roleAllows, type OperationDef } from './operations.ts';
import {
  CreateShareRequest,
  CreateUserRequest,
  ShareNameParam,
  UpdateAdapterRequest,
  UsernameSchema,
} from './schemas.ts';

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
    // Spaces and any script: both NFS export paths and SMB share names carry them.
    for (const good of ['/Family photos', '/média/été', '/照片', `/${'x'.repeat(70)}`])
      expect(ShareNameParam.safeParse(good).success, good).toBe(true);
    for (const bad of ['/', '/a/../b', '//x', '/x/', '/.', 'x'.repeat(300), '/a:b', '/ a', '/a\tb'])
      expect(ShareNameParam.safeParse(bad).success, bad).toBe(false);
  });

  it('says which rule a share name breaks, in words', () => {
    const why = (name: string) => ShareNameParam.safeParse(name).error?.issues[0]?.message;
    expect(why(`/${'x'.repeat(90)}`)).toBe('use at most 80 characters (this name has 91): longer names do not fit SMB');
    expect(why('/a:b')).toBe(
      'a share name cannot contain ":" (SMB share names exclude " \\ [ ] : | < > + = ; , * and ?)',
    );
    expect(why('/a/ b')).toBe('a part of a share name cannot start or end with a space');
  });

  it('refuses common passwords with the reason, and words every other message', () => {
    const why = (password: string) =>
      CreateUserRequest.safeParse({ username: 'ann', password }).error?.issues[0]?.message;
    expect(why('password')).toBe(
      'too easy to guess: this is one of the ten most used passwords; add more words or characters',
    );
    expect(why('12345678')).toMatch(/^too easy to guess/);
    expect(why('short')).toBe('use at least 8 characters');
    expect(why('correct horse battery')).toBeUndefined();
    expect(CreateUserRequest.safeParse({ username: 'ann', password: 5 }).error?.issues[0]?.message).toBe(
      'expected text',
    );
    expect(UpdateAdapterRequest.safeParse({ port: 70000 }).error?.issues[0]?.message).toBe(
      'expected a port between 1 and 65535 (or 0 for any free port)',
    );
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
