/**
 * NFSv4 open- and lock-owners (RFC 7530 §9.1.5) and their sequence ids (§9.1.7): an owner is
 * known by its client and the opaque name the client gives it.
 */
import { clientPrefix } from '../../../metadata/locks/lock-manager.ts';
import { Nfs4Status } from './constants.ts';
import { Nfs4Error } from './errors.ts';
import type { Client, LockOwner, OpenOwner, SeqOwner } from './state-types.ts';

const SEQID_WRAP = 0x1_0000_0000;

/** Every lock owner of a client is "nfs4:<clientid>:<owner>" in the LockManager. */
export const lockClientPrefix = (client: Client): string => clientPrefix('nfs4', client.clientid.toString('hex'));

/** The open-owner `owner` of a client, made on first use. */
export function openOwnerOf(client: Client, owner: Buffer): OpenOwner {
  const key = owner.toString('hex');
  let o = client.owners.get(key);
  if (!o) {
    o = { client, key, lastSeqid: undefined, confirmed: false, opens: new Set() };
    client.owners.set(key, o);
  }
  return o;
}

/** The lock-owner `owner` of a client, made on first use. */
export function lockOwnerOf(client: Client, owner: Buffer): LockOwner {
  const hex = owner.toString('hex');
  let o = client.lockOwners.get(hex);
  if (!o) {
    const key = lockClientPrefix(client) + hex;
    o = { client, key, owner: Buffer.from(owner), lastSeqid: undefined, locks: new Set() };
    client.lockOwners.set(hex, o);
  }
  return o;
}

/**
 * Checks and consumes an owner's seqid (RFC 7530 §9.1.7): the next one, or any for a new
 * owner. NFSv4.1 clients' seqids are ignored: the session's slot orders requests (RFC 8881 §8.13).
 */
export function advanceSeqid(owner: SeqOwner & { readonly client: Client }, seqid: number): void {
  if (owner.client.minorVersion > 0) return;
  if (owner.lastSeqid !== undefined && seqid !== (owner.lastSeqid + 1) % SEQID_WRAP) {
    throw new Nfs4Error(Nfs4Status.BAD_SEQID, `seqid ${seqid} after ${owner.lastSeqid}`);
  }
  owner.lastSeqid = seqid;
}
