/**
 * A minimal SMB2 client for unit tests of our own server code: builds requests, runs them
 * through an SmbConnection (no sockets) and logs in with NTLMv2 as the test runtime's user.
 */
import { createHmac, randomBytes } from 'node:crypto';
import pino from 'pino';
import { TEST_USER, testRuntime, type TestRuntime } from '../testing/test-runtime.ts';
import { ntHash } from '../../auth/nthash.ts';
import { LoginThrottle } from '../../auth/ratelimit.ts';
import { SmbConnection } from './connection.ts';
import { Command, HEADER_SIZE, Status } from './constants.ts';
import { decodeHeader, encodeHeader, type Smb2Header } from './header.ts';
import type { SmbServerContext } from './handler.ts';
import { ntowfv2 } from './auth/ntlm.ts';
import { der, NTLMSSP_OID, parseClientToken } from './auth/spnego.ts';
import { SmbSettings } from './settings.ts';
import { ShareModeTable } from './share-modes.ts';
import { OpenPaths } from './open-paths.ts';
import { LeWriter } from './writer.ts';

export interface Reply {
  hdr: Smb2Header;
  body: Buffer;
  /** The whole response message (header at 0). */
  msg: Buffer;
}

export function serverContext(runtime: TestRuntime, settings: Partial<SmbSettings> = {}): SmbServerContext {
  return {
    runtime,
    settings: SmbSettings.parse(settings),
    logger: pino({ level: process.env.SMB_TEST_LOG ?? 'silent' }),
    serverGuid: randomBytes(16),
    startTime: 0n,
    name: { computer: 'TEST', domain: 'TEST', dnsComputer: 'test' },
    shareModes: new ShareModeTable(),
    openPaths: new OpenPaths(runtime.metadata),
    throttle: new LoginThrottle(),
  };
}

export class TestClient {
  messageId = 0n;
  sessionId = 0n;
  treeId = 0;
  readonly conn: SmbConnection;

  constructor(readonly server: SmbServerContext) {
    this.conn = new SmbConnection(server, '127.0.0.1', 40000);
  }

  static async create(settings: Partial<SmbSettings> = {}): Promise<TestClient> {
    return new TestClient(serverContext(await testRuntime(), settings));
  }

  /** One request message (header + body), with the next message id. */
  message(command: Command, body: Buffer, over: Partial<Smb2Header> = {}): Buffer {
    const m = Buffer.alloc(HEADER_SIZE + body.length);
    encodeHeader(
      {
        creditCharge: 1,
        status: 0,
        command,
        credits: 64,
        flags: 0,
        nextCommand: 0,
        messageId: this.messageId++,
        asyncId: 0n,
        treeId: this.treeId,
        sessionId: this.sessionId,
        signature: Buffer.alloc(16),
        ...over,
      },
      m,
    );
    body.copy(m, HEADER_SIZE);
    return m;
  }

  /** Sends raw bytes; the decoded responses, or 'closed'. */
  async raw(frame: Buffer): Promise<Reply[] | 'closed'> {
    const r = await this.conn.receive(frame);
    if (r.close) return 'closed';
    const whole = Buffer.concat(r.out);
    r.sent?.(); // copied: what the reply lent is free again
    const replies: Reply[] = [];
    let off = 0;
    while (off < whole.length) {
      const hdr = decodeHeader(whole, off);
      if (!hdr) throw new Error('the server sent a malformed header');
      const end = hdr.nextCommand ? off + hdr.nextCommand : whole.length;
      replies.push({ hdr, body: whole.subarray(off + HEADER_SIZE, end), msg: whole.subarray(off, end) });
      off = end;
    }
    return replies;
  }

  async send(command: Command, body: Buffer, over: Partial<Smb2Header> = {}): Promise<Reply> {
    const r = await this.raw(this.message(command, body, over));
    if (r === 'closed' || r.length !== 1) throw new Error(`expected one reply, got ${r === 'closed' ? r : r.length}`);
    return r[0] as Reply;
  }

  negotiate(dialects = [0x0202, 0x0210]): Promise<Reply> {
    const w = new LeWriter().u16(36).u16(dialects.length).u16(1).u16(0).u32(0).bytes(randomBytes(16)).u64(0);
    for (const d of dialects) w.u16(d);
    return this.send(Command.NEGOTIATE, Buffer.from(w.finish()));
  }

  private setupBody(token: Buffer): Buffer {
    return Buffer.from(
      new LeWriter()
        .u16(25)
        .u8(0)
        .u8(1)
        .u32(0)
        .u32(0)
        .u16(HEADER_SIZE + 24)
        .u16(token.length)
        .u64(0)
        .bytes(token)
        .finish(),
    );
  }

  /**
   * NEGOTIATE (2.1) and an NTLMv2 login (anonymous, MS-NLMP §3.2.5.1.2, when `user` is empty);
   * the final SESSION_SETUP reply. `reauthenticate`: no NEGOTIATE, on the current session.
   */
  async login(password = TEST_USER.password, user = TEST_USER.username, reauthenticate = false): Promise<Reply> {
    if (!reauthenticate) await this.negotiate();
    const negotiateMsg = Buffer.from(
      '4e544c4d5353500001000000978208e2000000000000000000000000000000000a00614a0000000f',
      'hex',
    );
    const init = der(
      0x60,
      der(0x06, Buffer.from('2b0601050502', 'hex')),
      der(0xa0, der(0x30, der(0xa0, der(0x30, der(0x06, NTLMSSP_OID))), der(0xa2, der(0x04, negotiateMsg)))),
    );
    const first = await this.send(Command.SESSION_SETUP, this.setupBody(init));
    if (first.hdr.status !== Status.MORE_PROCESSING_REQUIRED) return first;
    this.sessionId = first.hdr.sessionId;
    const blob = first.body.subarray(8, 8 + first.body.readUInt16LE(6));
    const challenge = parseClientToken(blob).mechToken as Buffer;
    const serverChallenge = challenge.subarray(24, 32);
    const temp = Buffer.concat([
      Buffer.from('0101000000000000', 'hex'),
      Buffer.alloc(8),
      randomBytes(8),
      Buffer.alloc(4),
      Buffer.alloc(4),
    ]);
    const key = ntowfv2(Buffer.from(ntHash(password), 'hex'), user, '');
    const proof = createHmac('md5', key).update(serverChallenge).update(temp).digest();
    const nt = user === '' ? Buffer.alloc(0) : Buffer.concat([proof, temp]);
    const userBuf = Buffer.from(user, 'utf16le');
    const auth = Buffer.alloc(88);
    auth.write('NTLMSSP\0', 'latin1');
    auth.writeUInt32LE(3, 8);
    const field = (at: number, len: number, off: number) => {
      auth.writeUInt16LE(len, at);
      auth.writeUInt16LE(len, at + 2);
      auth.writeUInt32LE(off, at + 4);
    };
    field(12, 0, 88);
    field(20, nt.length, 88);
    field(28, 0, 88 + nt.length);
    field(36, userBuf.length, 88 + nt.length);
    field(44, 0, 88 + nt.length + userBuf.length);
    field(52, 0, 88 + nt.length + userBuf.length);
    auth.writeUInt32LE(0x00088205, 60); // UNICODE | NTLM | SIGN | EXTENDED_SESSIONSECURITY
    const token = der(0xa1, der(0x30, der(0xa2, der(0x04, Buffer.concat([auth, nt, userBuf])))));
    return this.send(Command.SESSION_SETUP, this.setupBody(token));
  }

  async treeConnect(share = 'export'): Promise<Reply> {
    const path = Buffer.from(`\\\\127.0.0.1\\${share}`, 'utf16le');
    const r = await this.send(
      Command.TREE_CONNECT,
      Buffer.from(
        new LeWriter()
          .u16(9)
          .u16(0)
          .u16(HEADER_SIZE + 8)
          .u16(path.length)
          .bytes(path)
          .finish(),
      ),
    );
    if (r.hdr.status === Status.SUCCESS) this.treeId = r.hdr.treeId;
    return r;
  }
}

/** A CREATE request body (§2.2.13). */
const ALL = 0xffffffffffffffffn;

/** A READ request body (§2.2.19); FileId all ones (the FileId of a related compound) unless given. */
export function readBody(length: number, offset = 0, fileId = { persistent: ALL, volatile: ALL }): Buffer {
  const w = new LeWriter().u16(49).u8(0).u8(0).u32(length).u64(offset).u64(fileId.persistent).u64(fileId.volatile);
  return Buffer.from(w.u32(0).u32(0).u32(0).u16(0).u16(0).u8(0).finish());
}

export function createBody(
  name: string,
  disposition: number,
  options = 0,
  access = 0x0012019f,
  shareAccess = 7,
): Buffer {
  const n = Buffer.from(name, 'utf16le');
  const w = new LeWriter().u16(57).u8(0).u8(0).u32(2).u64(0).u64(0).u32(access).u32(0).u32(shareAccess);
  w.u32(disposition)
    .u32(options)
    .u16(HEADER_SIZE + 56)
    .u16(n.length)
    .u32(0)
    .u32(0)
    .bytes(n.length ? n : Buffer.alloc(1));
  return Buffer.from(w.finish());
}
