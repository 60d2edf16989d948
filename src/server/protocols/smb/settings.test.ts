// The adapter settings as a client meets them: the dialect range picks the highest allowed
// dialect (none allowed: NOT_SUPPORTED), signing required is announced and unsigned
// requests are refused, and encryption required refuses a 2.x session.
import { describe, expect, it } from 'vitest';
import { Command, Dialect, HEADER_SIZE, SIGNING_REQUIRED, Status } from './constants.ts';
import { TestClient } from './testing.ts';

const dialectOf = (body: Buffer) => body.readUInt16LE(4);

describe('SMB adapter settings', () => {
  it('negotiates the highest dialect within min/max', async () => {
    const all = [0x0202, 0x0210, 0x0300, 0x0302];
    expect(dialectOf((await (await TestClient.create()).negotiate(all)).body)).toBe(Dialect.SMB302);
    const capped = await TestClient.create({ maxDialect: '2.1' });
    expect(dialectOf((await capped.negotiate(all)).body)).toBe(Dialect.SMB210);
    const floor = await TestClient.create({ minDialect: '3.0' });
    expect((await floor.negotiate([0x0202, 0x0210])).hdr.status).toBe(Status.NOT_SUPPORTED);
  });

  it('signing required: announced, and unsigned requests after login are refused', async () => {
    const announced = await (await TestClient.create({ signingRequired: true })).negotiate();
    expect(announced.body.readUInt16LE(2) & SIGNING_REQUIRED).toBeTruthy();
    const c = await TestClient.create({ signingRequired: true });
    expect((await c.login()).hdr.status).toBe(Status.SUCCESS);
    const path = Buffer.from('\\\\127.0.0.1\\export', 'utf16le');
    const body = Buffer.alloc(8 + path.length);
    body.writeUInt16LE(9, 0);
    body.writeUInt16LE(HEADER_SIZE + 8, 4);
    body.writeUInt16LE(path.length, 6);
    path.copy(body, 8);
    expect((await c.send(Command.TREE_CONNECT, body)).hdr.status).toBe(Status.ACCESS_DENIED);
  });

  it('encryption required refuses a session that cannot encrypt (SMB 2.1)', async () => {
    const c = await TestClient.create({ encryption: 'required' });
    expect((await c.login()).hdr.status).toBe(Status.LOGON_FAILURE);
  });
});
