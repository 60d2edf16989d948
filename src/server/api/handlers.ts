/**
 * One handler per operation of the table (src/shared/api/operations.ts). Handlers get the
 * validated request parts and the signed-in user, and call Runtime methods, which persist
 * and apply the change live. They return plain data; the router validates it against the
 * operation's response schema (which also strips internal fields).
 */
import type { z } from 'zod';
import type { OperationId, Operations } from '../../shared/api/operations.ts';
import type { ShareDto, TokenPair } from '../../shared/api/schemas.ts';
import { DittoError } from '../../shared/errors.ts';
import type { IssuedTokens } from '../auth/tokens.ts';
import type { Runtime } from '../runtime/runtime.ts';
import { adapterDto } from '../runtime/events.ts';
import { testPayloadStore } from '../runtime/store-test.ts';
import { SHARE_DEFAULTS, type NewShare, type Share, type SharePatch, type User } from '../controlplane/models.ts';

type PartOut<D, P extends string> = D extends { [k in P]: infer T extends z.ZodType } ? z.output<T> : undefined;

export interface Ctx<K extends OperationId> {
  runtime: Runtime;
  params: PartOut<Operations[K], 'params'>;
  query: PartOut<Operations[K], 'query'>;
  body: PartOut<Operations[K], 'body'>;
  /** Set for every operation that is not public. */
  user: User | undefined;
  ip: string;
  /** Sets the HTTP status of a successful response (e.g. 503 for not ready). */
  setStatus(code: number): void;
}

export type Handler<K extends OperationId> = (
  ctx: Ctx<K>,
) => Promise<z.input<Operations[K]['response']>> | z.input<Operations[K]['response']>;
export type Handlers = { [K in OperationId]: Handler<K> };

function me(ctx: { user: User | undefined }): User {
  if (!ctx.user) throw new DittoError('UNAUTHENTICATED');
  return ctx.user;
}

async function tokenPair(rt: Runtime, t: IssuedTokens): Promise<TokenPair> {
  return {
    tokenType: 'Bearer',
    accessToken: t.accessToken,
    expiresIn: t.expiresIn,
    refreshToken: t.refreshToken,
    refreshExpiresIn: t.refreshExpiresIn,
    user: await rt.users.dto(t.user),
  };
}

function shareDto(rt: Runtime, share: Share): ShareDto {
  // Connected now, not MOUNT records that outlived their connection (sessions.ts).
  const activeMounts = rt.sessions.list().filter((m) => m.share === share.name && m.state === 'connected').length;
  return { ...share, activeMounts, usage: rt.usage.get(share.name) };
}

/** Referenced stores must exist: a clear 404 naming the field beats a store-level one. */
async function checkStores(
  rt: Runtime,
  metadataStore: string | undefined,
  payloadStore: string | undefined,
): Promise<void> {
  if (metadataStore !== undefined) {
    await rt.store.getMetadataStore(metadataStore).catch(() => {
      throw new DittoError('NOT_FOUND', `metadataStore: no metadata store named "${metadataStore}"`);
    });
  }
  if (payloadStore !== undefined) {
    await rt.store.getPayloadStore(payloadStore).catch(() => {
      throw new DittoError('NOT_FOUND', `payloadStore: no payload store named "${payloadStore}"`);
    });
  }
}

export const HANDLERS: Handlers = {
  // --- health ---
  'health.live': () => ({ status: 'ok' }),
  'health.ready': async ({ runtime, setStatus }) => {
    const r = await runtime.readiness();
    if (r.status !== 'ready') setStatus(503);
    return r;
  },

  // --- auth ---
  'auth.login': async ({ runtime, body, ip }) =>
    tokenPair(runtime, await runtime.auth.login(body.username, body.password, ip)),
  'auth.refresh': async ({ runtime, body }) => tokenPair(runtime, await runtime.auth.refresh(body.refreshToken)),
  'auth.logout': async ({ runtime, body }) => {
    await runtime.auth.logout(body.refreshToken);
  },
  'auth.me': (ctx) => ctx.runtime.users.dto(me(ctx)),
  'auth.myShares': async (ctx) => {
    const mine = await ctx.runtime.users.sharesOf(me(ctx));
    return {
      shares: mine.map(({ share, access, source, readOnlyShare }) => ({
        name: share.name,
        description: share.description,
        protocols: share.protocols,
        access,
        source,
        readOnlyShare,
      })),
    };
  },
  'auth.changePassword': async (ctx) => {
    const { runtime, body, ip } = ctx;
    const issued = await runtime.auth.changePassword(me(ctx), body.currentPassword, body.newPassword, ip, (u, p) =>
      runtime.users.setPassword(u, p, false),
    );
    return tokenPair(runtime, issued);
  },

  // --- users ---
  'users.list': ({ runtime }) => runtime.users.list(),
  'users.get': ({ runtime, params }) => runtime.users.get(params.username),
  'users.create': ({ runtime, body }) => runtime.users.create(body),
  'users.update': ({ runtime, params, body }) => runtime.users.update(params.username, body),
  'users.delete': async ({ runtime, params }) => {
    await runtime.users.delete(params.username);
  },
  'users.setPassword': async ({ runtime, params, body }) => {
    const user = await runtime.users.setPassword(params.username, body.password, body.mustChangePassword ?? false);
    return runtime.users.dto(user);
  },

  // --- groups ---
  'groups.list': ({ runtime }) => runtime.users.listGroups(),
  'groups.get': ({ runtime, params }) => runtime.users.getGroup(params.name),
  'groups.create': ({ runtime, body }) => runtime.users.createGroup(body),
  'groups.update': ({ runtime, params, body }) => runtime.users.updateGroup(params.name, body),
  'groups.delete': async ({ runtime, params }) => {
    await runtime.users.deleteGroup(params.name);
  },
  'groups.addMember': ({ runtime, params }) => runtime.users.addMember(params.name, params.username),
  'groups.removeMember': ({ runtime, params }) => runtime.users.removeMember(params.name, params.username),

  // --- shares ---
  'shares.list': async ({ runtime }) => (await runtime.store.listShares()).map((s) => shareDto(runtime, s)),
  'shares.get': async ({ runtime, params }) => shareDto(runtime, await runtime.store.getShare(params.name)),
  'shares.create': async ({ runtime, body }) => {
    await checkStores(runtime, body.metadataStore, body.payloadStore);
    const { protocols, createFolder, allowNested, ...rest } = body;
    const kind = rest.kind ?? (rest.path !== undefined ? 'folder' : 'managed');
    const input: NewShare = { ...rest, kind, protocols: { ...SHARE_DEFAULTS.protocols, ...protocols } };
    return shareDto(runtime, await runtime.shares.create(input, { createFolder, allowNested }));
  },
  'shares.update': async ({ runtime, params, body }) => {
    const current = await runtime.store.getShare(params.name);
    await checkStores(runtime, body.metadataStore, body.payloadStore);
    const { protocols, allowNested, ...rest } = body;
    const patch: SharePatch = { ...rest, ...(protocols && { protocols: { ...current.protocols, ...protocols } }) };
    return shareDto(runtime, await runtime.shares.update(current.name, patch, { allowNested }));
  },
  'shares.delete': async ({ runtime, params }) => {
    const current = await runtime.store.getShare(params.name);
    await runtime.shares.delete(current.name);
    runtime.usage.forget(current.name);
  },
  'shares.enable': async ({ runtime, params }) => {
    const current = await runtime.store.getShare(params.name);
    return shareDto(runtime, await runtime.shares.update(current.name, { enabled: true }));
  },
  'shares.disable': async ({ runtime, params }) => {
    const current = await runtime.store.getShare(params.name);
    return shareDto(runtime, await runtime.shares.update(current.name, { enabled: false }));
  },
  'shares.permissions': ({ runtime, params }) => runtime.users.permissions(params.name),
  'shares.setPermission': ({ runtime, params, body }) =>
    runtime.users.setPermission(params.name, params.principalType, params.principal, body.access),
  'shares.deletePermission': ({ runtime, params }) =>
    runtime.users.deletePermission(params.name, params.principalType, params.principal),

  // --- folders ---
  'folders.check': ({ runtime, query }) => runtime.folders.check(query.path),

  // --- stores ---
  'stores.metadata.list': ({ runtime }) => runtime.storeAdmin.list('metadata'),
  'stores.metadata.get': ({ runtime, params }) => runtime.storeAdmin.get('metadata', params.name),
  'stores.metadata.create': ({ runtime, body }) => runtime.storeAdmin.createMetadata(body),
  'stores.metadata.update': ({ runtime, params, body }) =>
    runtime.storeAdmin.update('metadata', params.name, body.config),
  'stores.metadata.delete': ({ runtime, params }) => runtime.storeAdmin.delete('metadata', params.name),
  'stores.metadata.health': ({ runtime, params }) => runtime.storeAdmin.health('metadata', params.name),
  'stores.payload.list': ({ runtime }) => runtime.storeAdmin.list('payload'),
  'stores.payload.get': ({ runtime, params }) => runtime.storeAdmin.get('payload', params.name),
  'stores.payload.create': ({ runtime, body }) => runtime.storeAdmin.createPayload(body),
  'stores.payload.update': ({ runtime, params, body }) =>
    runtime.storeAdmin.update('payload', params.name, body.config),
  'stores.payload.delete': ({ runtime, params }) => runtime.storeAdmin.delete('payload', params.name),
  'stores.payload.health': ({ runtime, params }) => runtime.storeAdmin.health('payload', params.name),
  'stores.payload.test': ({ runtime, body }) => testPayloadStore(runtime.store, body),

  // --- adapters ---
  'adapters.list': async ({ runtime }) => (await runtime.adapters.list()).map(adapterDto),
  'adapters.get': async ({ runtime, params }) => adapterDto(await runtime.adapters.get(params.type)),
  'adapters.update': async ({ runtime, params, body }) => adapterDto(await runtime.adapters.update(params.type, body)),
  'adapters.enable': async ({ runtime, params }) =>
    adapterDto(await runtime.adapters.update(params.type, { enabled: true })),
  'adapters.disable': async ({ runtime, params }) =>
    adapterDto(await runtime.adapters.update(params.type, { enabled: false })),

  // --- settings ---
  'settings.list': ({ runtime }) => runtime.settings.list(),
  'settings.get': ({ runtime, params }) => runtime.settings.get(params.key),
  'settings.set': ({ runtime, params, body }) => runtime.settings.set(params.key, body.value),
  'settings.delete': ({ runtime, params }) => runtime.settings.delete(params.key),
  'guest.get': ({ runtime }) => runtime.users.guest(),
  'guest.update': ({ runtime, body }) => runtime.users.updateGuest(body),
  'networks.list': ({ runtime }) => runtime.networks(),
  'connect.info': ({ runtime }) => runtime.connectInfo(),

  // --- mounts, clients, stats, alerts ---
  'mounts.list': ({ runtime }) => runtime.sessions.list(),
  'mounts.disconnect': ({ runtime, params }) => ({ disconnected: runtime.sessions.disconnectMount(params.id) }),
  'clients.list': ({ runtime }) => runtime.sessions.clients(),
  'clients.disconnect': ({ runtime, params }) => ({ disconnected: runtime.sessions.disconnectClient(params.address) }),
  'stats.get': ({ runtime }) => runtime.stats(),
  'cluster.get': ({ runtime }) => runtime.cluster.view(),
  'cluster.forget': async ({ runtime, params }) => {
    await runtime.cluster.forget(params.id);
  },
  'offloader.list': ({ runtime }) => runtime.offloader.list(),
  'offloader.shared': ({ runtime }) => runtime.offloader.shared(),
  'offloader.drain': ({ runtime, params }) => runtime.offloader.drain(params.store),
  'offloader.gc': ({ runtime, params, body }) => runtime.offloader.gc(params.store, body.graceSeconds),
  'offloader.evict': ({ runtime, params }) => runtime.offloader.evict(params.store),
  'alerts.list': ({ runtime }) => runtime.alerts.list(),
  'alerts.dismiss': ({ runtime, params }) => runtime.alerts.dismiss(params.id),
};
