/**
 * One SMB2 connection, sans-I/O: `receive` takes a whole message (the transport strips the
 * length prefix) and returns the chunks to send, or asks to close. It decrypts TRANSFORM
 * messages, splits compound chains (§3.3.5.2.7), checks credits, sessions, signatures and
 * tree connects before a handler runs (the table in commands.ts), and signs, chains and
 * encrypts the responses (§3.3.4.1).
 */
import { performance } from 'node:perf_hooks';
import { Cap, Command, Dialect, Flags, HEADER_SIZE, Status } from './constants.ts';
import { chargeCovers } from './credit-charge.ts';
import { preauthHash } from './crypto/preauth.ts';
import { SmbConnectionState } from './connection-state.ts';
import { decryptMessage, decodeTransform, encryptMessage, TRANSFORM_PROTOCOL_ID } from './crypto/transform.ts';
import { sign, verify } from './crypto/signing.ts';
import { decodeHeader, encodeHeader, PROTOCOL_ID, type Smb2Header } from './header.ts';
import { ERROR_BODY, statusOf, type SmbContext, type SmbReply, type SmbServerContext } from './handler.ts';
import { COMMANDS } from './commands.ts';
import { smb1Negotiate } from './handlers/negotiate.ts';
import { closeOpen } from './handlers/close.ts';
import { mountKey, releaseSessionMounts } from './mount-records.ts';
import type { Session } from './state.ts';

/** Credits a client may hold at once (Windows grants up to 512 by default; Samba 8192). */
const MAX_CREDITS = 8192n;
const SMB1_ID = 0x424d53ff;
/**
 * What a related request of a compound takes from the one before it (§3.3.5.2.7.2): its
 * session, tree and FileId, and `inherited`, the error it fails with at once (SUCCESS when
 * none): the error of a failed CREATE, or of a request that failed before its handler ran.
 * Other failures (a WRITE refused, say) do not stop the requests after them, as in Windows
 * and Samba.
 */
interface Related {
  sessionId: bigint;
  treeId: number;
  fileId?: SmbContext['relatedFileId'];
  inherited: number;
}

/** What the first request of a compound is related to when it claims to be: nothing valid. */
const FIRST_RELATED: Related = { sessionId: 0n, treeId: 0, inherited: Status.INVALID_PARAMETER };
const SESSION_ERRORS: number[] = [Status.USER_SESSION_DELETED, Status.NETWORK_NAME_DELETED];

/**
 * `holdsMessage`: a request went asynchronous and may still read the message it came in.
 * `sent`: to call once `out` is written (or dropped): it gives back what a reply lent.
 */
export type ReceiveResult =
  | { out: Buffer[]; sent?: () => void; close?: false; holdsMessage?: boolean }
  | { out: Buffer[]; close: true; reason: string; holdsMessage?: boolean };

/** A response ready for the socket, and what to call once it is written (or dropped). */
interface Outgoing {
  out: Buffer[];
  sent?: () => void;
}

interface Built {
  hdr: Smb2Header;
  reply: SmbReply;
  session: Session | undefined;
  /** Sign this response (the request was signed, or signing is required, or SESSION_SETUP completed). */
  sign: boolean;
}

export class SmbConnection {
  readonly state: SmbConnectionState;
  /** Where final replies of asynchronous requests go (the transport writes them). */
  onAsync: (out: Buffer[], sent?: () => void) => void = () => undefined;
  /** A request of the message being received went asynchronous. */
  private wentAsync = false;

  constructor(
    private readonly server: SmbServerContext,
    clientAddr: string,
    clientPort: number,
  ) {
    this.state = new SmbConnectionState(clientAddr, clientPort);
  }

  async receive(frame: Buffer): Promise<ReceiveResult> {
    this.wentAsync = false;
    const result = await this.receiveMessage(frame);
    return this.wentAsync ? { ...result, holdsMessage: true } : result;
  }

  private async receiveMessage(frame: Buffer): Promise<ReceiveResult> {
    if (frame.length < 4) return { out: [], close: true, reason: 'short message' };
    const id = frame.readUInt32LE(0);
    if (id === SMB1_ID) {
      const reply = smb1Negotiate(this.server, this.state, frame);
      return reply ? { out: [reply] } : { out: [], close: true, reason: 'SMB1 without SMB2 dialects' };
    }
    let msg = frame;
    let encrypted: Session | undefined;
    if (id === TRANSFORM_PROTOCOL_ID) {
      const info = decodeTransform(frame);
      const session = info && this.state.sessions.get(info.sessionId);
      const key = session?.keys?.decryptionKey;
      const plain = key && this.state.cipher !== undefined ? decryptMessage(this.state.cipher, key, frame) : undefined;
      if (!plain) return { out: [], close: true, reason: 'message does not decrypt' };
      msg = plain;
      encrypted = session;
      this.state.encrypted = true;
    }
    if (msg.length < HEADER_SIZE || msg.readUInt32LE(0) !== PROTOCOL_ID)
      return { out: [], close: true, reason: 'not an SMB2 message' };

    const built: Built[] = [];
    let offset = 0;
    let first = true;
    let related: Related | undefined;
    for (;;) {
      const hdr = decodeHeader(msg, offset);
      if (!hdr) return { out: [], close: true, reason: 'malformed header' };
      const end = hdr.nextCommand === 0 ? msg.length : offset + hdr.nextCommand;
      if (hdr.nextCommand !== 0 && (hdr.nextCommand % 8 !== 0 || hdr.nextCommand < HEADER_SIZE || end > msg.length))
        return { out: [], close: true, reason: 'bad NextCommand' };
      if (hdr.flags & Flags.RELATED_OPERATIONS && related) {
        hdr.sessionId = related.sessionId;
        hdr.treeId = related.treeId;
      }
      const request = msg.subarray(offset, end);
      // §3.3.5.2.7.2: the first request of a compound cannot be related to anything.
      const result = await this.one(
        hdr,
        request,
        encrypted,
        first && hdr.flags & Flags.RELATED_OPERATIONS ? FIRST_RELATED : related,
        hdr.nextCommand === 0,
      );
      first = false;
      if ('close' in result) {
        for (const b of built) b.reply.release?.();
        return { out: [], close: true, reason: result.close };
      }
      if (result.built) {
        built.push(result.built);
        related = {
          sessionId: result.built.hdr.sessionId,
          treeId: result.built.hdr.treeId,
          // An unrelated request starts the chain over: no FileId carries past it.
          fileId: result.fileId ?? (hdr.flags & Flags.RELATED_OPERATIONS ? related?.fileId : undefined),
          inherited: result.inherited,
        };
      }
      if (hdr.nextCommand === 0) break;
      offset = end;
    }
    return this.assemble(built, encrypted);
  }

  /** Releases what the connection held: its opens (delete-on-close runs) and share-mode entries. */
  async close(): Promise<void> {
    this.onAsync = () => undefined;
    for (const p of this.state.pending.values()) p.cancel();
    for (const open of [...this.state.opens.values()]) {
      await closeOpen(this.server, this.state, open).catch(() => undefined);
    }
    for (const session of this.state.sessions.values()) releaseSessionMounts(this.server, this.state, session);
    this.state.sessions.clear();
  }

  private async one(
    hdr: Smb2Header,
    request: Buffer,
    encrypted: Session | undefined,
    related: Related | undefined,
    lastOfChain: boolean,
  ): Promise<
    { close: string } | { built: Built | undefined; fileId?: SmbContext['relatedFileId']; inherited: number }
  > {
    const st = this.state;
    if (hdr.command === Command.CANCEL) {
      // §3.3.5.16: no response; the cancelled request completes with STATUS_CANCELLED.
      for (const [asyncId, p] of st.pending)
        if (hdr.flags & Flags.ASYNC_COMMAND ? asyncId === hdr.asyncId : p.messageId === hdr.messageId) p.cancel();
      return { built: undefined, inherited: Status.SUCCESS };
    }
    if (st.dialect === undefined && hdr.command !== Command.NEGOTIATE) return { close: 'request before NEGOTIATE' };
    if (!st.consume(hdr.messageId, st.dialect === undefined || st.dialect < 0x0210 ? 1 : hdr.creditCharge))
      return { close: `message id ${hdr.messageId} outside the credit window` };
    const started = performance.now();
    const handler = COMMANDS[hdr.command];
    const ctx: SmbContext = {
      server: this.server,
      conn: st,
      hdr,
      msg: request,
      session: undefined,
      tree: undefined,
      relatedFileId: hdr.flags & Flags.RELATED_OPERATIONS ? related?.fileId : undefined,
      bytesRead: 0,
      bytesWritten: 0,
    };
    let reply: SmbReply;
    let session = st.sessions.get(hdr.sessionId);
    let signIt = false;
    const checked = this.preconditions(ctx, session, encrypted, request, related);
    if (checked !== Status.SUCCESS || !handler) {
      reply = { status: handler ? checked : Status.INVALID_PARAMETER, body: ERROR_BODY };
    } else {
      try {
        reply = await handler.run(ctx);
      } catch (err) {
        const status = statusOf(err);
        if (status === Status.UNSUCCESSFUL)
          this.server.logger.warn({ err, command: handler.name, client: st.clientAddr }, 'SMB request failed');
        reply = { status, body: ERROR_BODY };
      }
    }
    if (reply.later && !lastOfChain) {
      // Windows (MS-SMB2 <159>, smbtorture compound.interim2): only the last request of a
      // compound may go asynchronous; one before it that would wait fails at once, and the
      // rest of the chain is answered in the same response.
      reply.cancel?.();
      reply = { status: Status.INTERNAL_ERROR, body: ERROR_BODY };
    }
    if (ctx.responseSessionId !== undefined) session = st.sessions.get(ctx.responseSessionId);
    if (session?.keys) {
      const completedSetup = hdr.command === Command.SESSION_SETUP && reply.status === Status.SUCCESS;
      signIt = completedSetup || hdr.flags & Flags.SIGNED ? true : session.signingRequired;
      if (session.username === '' && !completedSetup) signIt = false;
    }
    const credits = this.credits(hdr);
    const out: Smb2Header = {
      ...hdr,
      status: reply.status,
      credits,
      flags: Flags.SERVER_TO_REDIR | (hdr.flags & (Flags.RELATED_OPERATIONS | Flags.ASYNC_COMMAND)),
      nextCommand: 0,
      treeId: ctx.responseTreeId ?? hdr.treeId,
      sessionId: ctx.responseSessionId ?? hdr.sessionId,
    };
    if (reply.later) {
      // §3.3.4.2: an interim STATUS_PENDING with an AsyncId now, the final reply when it settles.
      const asyncId = BigInt(st.newId());
      this.wentAsync = true;
      out.flags |= Flags.ASYNC_COMMAND;
      out.asyncId = asyncId;
      st.pending.set(asyncId, { messageId: hdr.messageId, cancel: reply.cancel ?? (() => undefined) });
      const finalSign = signIt;
      void reply.later.then((final) => {
        st.pending.delete(asyncId);
        const hdrFinal: Smb2Header = {
          ...out,
          status: final.status,
          credits: 0,
          flags: out.flags & ~Flags.RELATED_OPERATIONS,
        };
        const response = this.assemble([{ hdr: hdrFinal, reply: final, session, sign: finalSign }], encrypted);
        this.onAsync(response.out, response.sent);
      });
      signIt = false; // interim responses are not signed (§3.3.4.1.1)
    }
    this.server.runtime.mounts.record({
      protocol: 'smb',
      op: handler?.name ?? `0x${hdr.command.toString(16)}`,
      share: ctx.tree?.share,
      clientAddr: st.clientAddr,
      mountKey:
        ctx.tree?.share === undefined || !ctx.session ? undefined : mountKey(st, ctx.session.id, ctx.tree.share),
      bytesRead: ctx.bytesRead,
      bytesWritten: ctx.bytesWritten,
      latencyMs: performance.now() - started,
      status: reply.status === Status.SUCCESS ? 'ok' : `0x${reply.status.toString(16)}`,
    });
    st.bytesRead += ctx.bytesRead;
    st.bytesWritten += ctx.bytesWritten;
    const fileId = ctx.createdFileId;
    const inherited = checked !== Status.SUCCESS || hdr.command === Command.CREATE ? reply.status : Status.SUCCESS;
    return { built: { hdr: out, reply, session, sign: signIt }, inherited, ...(fileId && { fileId }) };
  }

  /** §3.3.5.2: the checks before a handler runs; SUCCESS or the status to answer with. */
  private preconditions(
    ctx: SmbContext,
    session: Session | undefined,
    encrypted: Session | undefined,
    request: Buffer,
    related: Related | undefined,
  ): number {
    const { hdr } = ctx;
    const handler = COMMANDS[hdr.command];
    if (!handler) return Status.NOT_SUPPORTED;
    // A related request fails with the error it inherits; one whose session or tree is not
    // known (the previous failed to name one) is invalid.
    if (hdr.flags & Flags.RELATED_OPERATIONS && related && related.inherited !== Status.SUCCESS)
      return SESSION_ERRORS.includes(related.inherited) ? Status.INVALID_PARAMETER : related.inherited;
    if (hdr.command === Command.NEGOTIATE || hdr.command === Command.SESSION_SETUP) return Status.SUCCESS;
    if (this.state.serverCapabilities & Cap.LARGE_MTU && !chargeCovers(hdr, request)) return Status.INVALID_PARAMETER;
    if (!handler.needsSession) return Status.SUCCESS;
    if (!session || session.state !== 'valid') return Status.USER_SESSION_DELETED;
    if (encrypted && encrypted !== session) return Status.ACCESS_DENIED;
    if (!encrypted && session.keys) {
      if (hdr.flags & Flags.SIGNED) {
        if (!verify(this.state.signingAlg, session.keys.signingKey, request)) return Status.ACCESS_DENIED;
        this.state.signed = true;
      } else if (session.signingRequired) return Status.ACCESS_DENIED;
      if (session.encryptData) return Status.ACCESS_DENIED;
    }
    ctx.session = session;
    if (!handler.needsTree) return Status.SUCCESS;
    const tree = session.trees.get(hdr.treeId);
    if (!tree) return Status.NETWORK_NAME_DELETED;
    if (tree.encrypt && !encrypted) return Status.ACCESS_DENIED;
    ctx.tree = tree;
    return Status.SUCCESS;
  }

  /** §3.3.1.2 credits granted with a response: what was asked (at least 1), within the limit. */
  private credits(hdr: Smb2Header): number {
    const st = this.state;
    const room = MAX_CREDITS - st.outstanding;
    let n = BigInt(Math.max(1, hdr.credits));
    if (n > room) n = room > 0n ? room : 0n;
    if (n === 0n && st.outstanding === 0n) n = 1n;
    st.grant(Number(n));
    return Number(n);
  }

  /** §3.3.5.4 / §3.3.5.5: 3.1.1 hashes the NEGOTIATE response and each SESSION_SETUP response but the last. */
  private hashPreauth(b: Built, message: Buffer): void {
    if (this.state.dialect !== Dialect.SMB311) return;
    if (b.hdr.command === Command.NEGOTIATE && b.reply.status === Status.SUCCESS)
      this.state.preauthHash = preauthHash(this.state.preauthHash, message);
    else if (b.hdr.command === Command.SESSION_SETUP && b.reply.status === Status.MORE_PROCESSING_REQUIRED && b.session)
      b.session.preauthHash = preauthHash(b.session.preauthHash, message);
  }

  /** Headers, chaining (8-byte aligned, NextCommand), signatures, and encryption of the whole chain. */
  private assemble(built: Built[], encrypted: Session | undefined): Outgoing {
    // §3.3.4.1.4: a response is encrypted when its request was (an unencrypted request on a
    // session or share that requires encryption was refused in `preconditions`).
    const encryptFor = encrypted;
    const messages: Buffer[] = [];
    for (let i = 0; i < built.length; i++) {
      const b = built[i] as Built;
      const last = i === built.length - 1;
      const tail = b.reply.tail ?? Buffer.alloc(0);
      const size = HEADER_SIZE + b.reply.body.length + tail.length;
      const padded = last ? size : (size + 7) & ~7;
      if (!last) b.hdr.nextCommand = padded;
      const canStream = last && built.length === 1 && !encryptFor && !b.sign && tail.length > 0;
      const head = Buffer.alloc(canStream ? HEADER_SIZE + b.reply.body.length : padded);
      encodeHeader(b.hdr, head);
      b.reply.body.copy(head, HEADER_SIZE);
      if (canStream) return { out: [head, tail], ...(b.reply.release && { sent: b.reply.release }) };
      tail.copy(head, HEADER_SIZE + b.reply.body.length);
      b.reply.release?.();
      if (b.sign && !encryptFor && b.session?.keys)
        sign(this.state.signingAlg, b.session.keys.signingKey, head.subarray(0, size));
      this.hashPreauth(b, head.subarray(0, size));
      messages.push(head);
    }
    const whole = messages.length === 1 ? (messages[0] as Buffer) : Buffer.concat(messages);
    const key = encryptFor?.keys?.encryptionKey;
    if (encryptFor && key && this.state.cipher !== undefined)
      return { out: [encryptMessage(this.state.cipher, key, encryptFor.id, whole)] };
    return { out: [whole] };
  }
}
