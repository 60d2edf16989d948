/**
 * THE operation table of the management API: every operation a person or a script can do,
 * once. The HTTP server generates its routes and the OpenAPI document from it, the
 * Electron IPC transport forwards `api.call(op, input)` through the same routes, and the
 * typed clients (dfsctl, renderer) build requests from it.
 *
 * Paths are relative to API_PREFIX and use `:param` segments. `role` is the least role
 * that may call the operation ('public' needs no token; 'user' means any signed-in user);
 * admin > operator > user.
 *
 * An operation's input is `{ params?, query?, body? }`, each present exactly when the
 * operation defines that part (see OpInput).
 */
import { z } from 'zod';
import * as S from './schemas.ts';
import { ClusterSchema, InstanceParams } from './cluster.ts';
import {
  EvictResultSchema,
  GcReportSchema,
  GcRequest,
  OffloaderParams,
  OffloaderSchema,
  SharedStoreSchema,
} from './offloader.ts';
import { StoreTestSchema, TestPayloadStoreRequest } from './store-test.ts';

export const API_PREFIX = '/api/v1';
/** Server-Sent Events stream (see events.ts); not an operation: a subscription. */
export const EVENTS_PATH = '/events';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type OpRole = 'public' | S.Role;

export interface OperationDef {
  method: HttpMethod;
  path: string;
  role: OpRole;
  summary: string;
  /** OpenAPI tag, and the dfsctl command group. */
  tag: string;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  response: z.ZodType;
  /** Success status: 200 (default), 201 (created) or 204 (no content). */
  status?: 200 | 201 | 204;
  /** Callable while the caller must still change a generated password. */
  allowPendingPasswordChange?: boolean;
}

const op = <const D extends OperationDef>(d: D): D => d;
const list = <T extends z.ZodType>(item: T) => z.array(item);

// One operation per line reads as a table.
// prettier-ignore
export const OPERATIONS = {
  // --- health ------------------------------------------------------------------------
  'health.live': op({ method: 'GET', path: '/health', role: 'public', tag: 'health', summary: 'Liveness', query: S.EmptyQuery, response: S.HealthSchema }),
  'health.ready': op({ method: 'GET', path: '/health/ready', role: 'public', tag: 'health', summary: 'Readiness (503 until serving)', query: S.EmptyQuery, response: S.HealthSchema }),

  // --- auth --------------------------------------------------------------------------
  'auth.login': op({ method: 'POST', path: '/auth/login', role: 'public', tag: 'auth', summary: 'Sign in: access token (15 min) + refresh token (7 days)', body: S.LoginRequest, response: S.TokenPairSchema }),
  'auth.refresh': op({ method: 'POST', path: '/auth/refresh', role: 'public', tag: 'auth', summary: 'Trade a refresh token for a new token pair (the old refresh token is revoked)', body: S.RefreshRequest, response: S.TokenPairSchema }),
  'auth.logout': op({ method: 'POST', path: '/auth/logout', role: 'public', tag: 'auth', summary: 'Revoke a refresh token', body: S.RefreshRequest, response: S.NoContent, status: 204 }),
  'auth.me': op({ method: 'GET', path: '/auth/me', role: 'user', tag: 'auth', summary: 'The signed-in user', query: S.EmptyQuery, response: S.UserSchema, allowPendingPasswordChange: true }),
  'auth.myShares': op({ method: 'GET', path: '/auth/me/shares', role: 'user', tag: 'auth', summary: 'The shares you may use (and what you may do there), and where the protocols listen', query: S.EmptyQuery, response: S.MySharesSchema }),
  'auth.changePassword': op({ method: 'POST', path: '/auth/password', role: 'user', tag: 'auth', summary: 'Change your own password (ends your other sessions; returns new tokens)', body: S.ChangePasswordRequest, response: S.TokenPairSchema, allowPendingPasswordChange: true }),

  // --- users -------------------------------------------------------------------------
  'users.list': op({ method: 'GET', path: '/users', role: 'operator', tag: 'users', summary: 'List users', query: S.EmptyQuery, response: list(S.UserSchema) }),
  'users.get': op({ method: 'GET', path: '/users/:username', role: 'operator', tag: 'users', summary: 'Get a user', params: S.UserParams, query: S.EmptyQuery, response: S.UserSchema }),
  'users.create': op({ method: 'POST', path: '/users', role: 'admin', tag: 'users', summary: 'Create a user', body: S.CreateUserRequest, response: S.UserSchema, status: 201 }),
  'users.update': op({ method: 'PATCH', path: '/users/:username', role: 'admin', tag: 'users', summary: 'Change a user (role, ids, enabled, names)', params: S.UserParams, body: S.UpdateUserRequest, response: S.UserSchema }),
  'users.delete': op({ method: 'DELETE', path: '/users/:username', role: 'admin', tag: 'users', summary: 'Delete a user (and its memberships and share permissions)', params: S.UserParams, response: S.NoContent, status: 204 }),
  'users.setPassword': op({ method: 'PUT', path: '/users/:username/password', role: 'admin', tag: 'users', summary: "Set a user's password (ends the user's sessions)", params: S.UserParams, body: S.SetPasswordRequest, response: S.UserSchema }),

  // --- groups ------------------------------------------------------------------------
  'groups.list': op({ method: 'GET', path: '/groups', role: 'operator', tag: 'groups', summary: 'List groups', query: S.EmptyQuery, response: list(S.GroupSchema) }),
  'groups.get': op({ method: 'GET', path: '/groups/:name', role: 'operator', tag: 'groups', summary: 'Get a group', params: S.GroupParams, query: S.EmptyQuery, response: S.GroupSchema }),
  'groups.create': op({ method: 'POST', path: '/groups', role: 'admin', tag: 'groups', summary: 'Create a group', body: S.CreateGroupRequest, response: S.GroupSchema, status: 201 }),
  'groups.update': op({ method: 'PATCH', path: '/groups/:name', role: 'admin', tag: 'groups', summary: 'Change a group', params: S.GroupParams, body: S.UpdateGroupRequest, response: S.GroupSchema }),
  'groups.delete': op({ method: 'DELETE', path: '/groups/:name', role: 'admin', tag: 'groups', summary: 'Delete a group (and its share permissions)', params: S.GroupParams, response: S.NoContent, status: 204 }),
  'groups.addMember': op({ method: 'PUT', path: '/groups/:name/members/:username', role: 'admin', tag: 'groups', summary: 'Add a member (idempotent)', params: S.GroupMemberParams, response: S.GroupSchema }),
  'groups.removeMember': op({ method: 'DELETE', path: '/groups/:name/members/:username', role: 'admin', tag: 'groups', summary: 'Remove a member (idempotent)', params: S.GroupMemberParams, response: S.GroupSchema }),

  // --- shares ------------------------------------------------------------------------
  'shares.list': op({ method: 'GET', path: '/shares', role: 'operator', tag: 'shares', summary: 'List shares', query: S.EmptyQuery, response: list(S.ShareSchema) }),
  'shares.get': op({ method: 'GET', path: '/shares/:name', role: 'operator', tag: 'shares', summary: 'Get a share', params: S.ShareParams, query: S.EmptyQuery, response: S.ShareSchema }),
  'shares.create': op({ method: 'POST', path: '/shares', role: 'operator', tag: 'shares', summary: 'Create a share (served at once)', body: S.CreateShareRequest, response: S.ShareSchema, status: 201 }),
  'shares.update': op({ method: 'PATCH', path: '/shares/:name', role: 'operator', tag: 'shares', summary: 'Change a share, incl. NFS export options (applied live)', params: S.ShareParams, body: S.UpdateShareRequest, response: S.ShareSchema }),
  'shares.delete': op({ method: 'DELETE', path: '/shares/:name', role: 'operator', tag: 'shares', summary: 'Delete a share (its data stays in its stores)', params: S.ShareParams, response: S.NoContent, status: 204 }),
  'shares.enable': op({ method: 'POST', path: '/shares/:name/enable', role: 'operator', tag: 'shares', summary: 'Enable a share', params: S.ShareParams, response: S.ShareSchema }),
  'shares.disable': op({ method: 'POST', path: '/shares/:name/disable', role: 'operator', tag: 'shares', summary: "Disable a share (ends the share's live sessions)", params: S.ShareParams, response: S.ShareSchema }),
  'shares.permissions': op({ method: 'GET', path: '/shares/:name/permissions', role: 'operator', tag: 'shares', summary: 'Permission entries and the effective access of every user', params: S.ShareParams, query: S.EmptyQuery, response: S.SharePermissionsSchema }),
  'shares.setPermission': op({ method: 'PUT', path: '/shares/:name/permissions/:principalType/:principal', role: 'operator', tag: 'shares', summary: 'Set the access of a user or group', params: S.PermissionParams, body: S.SetPermissionRequest, response: S.SharePermissionsSchema }),
  'shares.deletePermission': op({ method: 'DELETE', path: '/shares/:name/permissions/:principalType/:principal', role: 'operator', tag: 'shares', summary: 'Remove the entry of a user or group', params: S.PermissionParams, response: S.SharePermissionsSchema }),

  // --- folders (for folder shares) ---------------------------------------------------
  'folders.check': op({ method: 'GET', path: '/folders/check', role: 'operator', tag: 'folders', summary: 'Whether a folder of the server can be shared, and which shares already serve it or a folder around or inside it', query: S.FolderCheckQuery, response: S.FolderCheckSchema }),

  // --- stores ------------------------------------------------------------------------
  'stores.metadata.list': op({ method: 'GET', path: '/stores/metadata', role: 'operator', tag: 'stores', summary: 'List metadata stores', query: S.EmptyQuery, response: list(S.MetadataStoreSchema) }),
  'stores.metadata.get': op({ method: 'GET', path: '/stores/metadata/:name', role: 'operator', tag: 'stores', summary: 'Get a metadata store', params: S.StoreParams, query: S.EmptyQuery, response: S.MetadataStoreSchema }),
  'stores.metadata.create': op({ method: 'POST', path: '/stores/metadata', role: 'admin', tag: 'stores', summary: 'Create a metadata store (opened to prove it works)', body: S.CreateMetadataStoreRequest, response: S.MetadataStoreSchema, status: 201 }),
  'stores.metadata.update': op({ method: 'PATCH', path: '/stores/metadata/:name', role: 'admin', tag: 'stores', summary: 'Change the options of an unused metadata store', params: S.StoreParams, body: S.UpdateStoreRequest, response: S.MetadataStoreSchema }),
  'stores.metadata.delete': op({ method: 'DELETE', path: '/stores/metadata/:name', role: 'admin', tag: 'stores', summary: 'Delete a metadata store (IN_USE while a share uses it)', params: S.StoreParams, response: S.NoContent, status: 204 }),
  'stores.metadata.health': op({ method: 'GET', path: '/stores/metadata/:name/health', role: 'operator', tag: 'stores', summary: 'Open and probe a metadata store', params: S.StoreParams, query: S.EmptyQuery, response: S.StoreHealthSchema }),
  'stores.payload.list': op({ method: 'GET', path: '/stores/payload', role: 'operator', tag: 'stores', summary: 'List payload stores', query: S.EmptyQuery, response: list(S.PayloadStoreSchema) }),
  'stores.payload.get': op({ method: 'GET', path: '/stores/payload/:name', role: 'operator', tag: 'stores', summary: 'Get a payload store', params: S.StoreParams, query: S.EmptyQuery, response: S.PayloadStoreSchema }),
  'stores.payload.create': op({ method: 'POST', path: '/stores/payload', role: 'admin', tag: 'stores', summary: 'Create a payload store (opened to prove it works)', body: S.CreatePayloadStoreRequest, response: S.PayloadStoreSchema, status: 201 }),
  'stores.payload.update': op({ method: 'PATCH', path: '/stores/payload/:name', role: 'admin', tag: 'stores', summary: 'Change the options of an unused payload store, or the connection (keys, endpoint, region) of an S3 store in use', params: S.StoreParams, body: S.UpdateStoreRequest, response: S.PayloadStoreSchema }),
  'stores.payload.delete': op({ method: 'DELETE', path: '/stores/payload/:name', role: 'admin', tag: 'stores', summary: 'Delete a payload store (IN_USE while a share uses it)', params: S.StoreParams, response: S.NoContent, status: 204 }),
  'stores.payload.health': op({ method: 'GET', path: '/stores/payload/:name/health', role: 'operator', tag: 'stores', summary: 'Open and probe a payload store', params: S.StoreParams, query: S.EmptyQuery, response: S.StoreHealthSchema }),
  'stores.payload.test': op({ method: 'POST', path: '/stores/payload/test', role: 'admin', tag: 'stores', summary: 'Test the options of a payload store before saving them: reach, sign in, list, put, get and delete a probe object (about 8 s at most)', body: TestPayloadStoreRequest, response: StoreTestSchema }),

  // --- adapters ----------------------------------------------------------------------
  'adapters.list': op({ method: 'GET', path: '/adapters', role: 'operator', tag: 'adapters', summary: 'List protocol adapters with their state', query: S.EmptyQuery, response: list(S.AdapterSchema) }),
  'adapters.get': op({ method: 'GET', path: '/adapters/:type', role: 'operator', tag: 'adapters', summary: 'Status of an adapter', params: S.AdapterParams, query: S.EmptyQuery, response: S.AdapterSchema }),
  'adapters.update': op({ method: 'PATCH', path: '/adapters/:type', role: 'admin', tag: 'adapters', summary: 'Change an adapter (port, bind, settings); restarts only that adapter', params: S.AdapterParams, body: S.UpdateAdapterRequest, response: S.AdapterSchema }),
  'adapters.enable': op({ method: 'POST', path: '/adapters/:type/enable', role: 'admin', tag: 'adapters', summary: 'Enable and start an adapter', params: S.AdapterParams, response: S.AdapterSchema }),
  'adapters.disable': op({ method: 'POST', path: '/adapters/:type/disable', role: 'admin', tag: 'adapters', summary: 'Stop and disable an adapter', params: S.AdapterParams, response: S.AdapterSchema }),

  // --- settings ----------------------------------------------------------------------
  'settings.list': op({ method: 'GET', path: '/settings', role: 'operator', tag: 'settings', summary: 'All settings (known keys with their defaults)', query: S.EmptyQuery, response: list(S.SettingSchema) }),
  'settings.get': op({ method: 'GET', path: '/settings/:key', role: 'operator', tag: 'settings', summary: 'One setting', params: S.SettingParams, query: S.EmptyQuery, response: S.SettingSchema }),
  'settings.set': op({ method: 'PUT', path: '/settings/:key', role: 'admin', tag: 'settings', summary: 'Set a setting (applied live)', params: S.SettingParams, body: S.SetSettingRequest, response: S.SettingSchema }),
  'settings.delete': op({ method: 'DELETE', path: '/settings/:key', role: 'admin', tag: 'settings', summary: 'Reset a setting to its default', params: S.SettingParams, response: S.NoContent, status: 204 }),
  'guest.get': op({ method: 'GET', path: '/guest', role: 'operator', tag: 'settings', summary: 'Guest (unauthenticated SMB) access', query: S.EmptyQuery, response: S.GuestSchema }),
  'guest.update': op({ method: 'PATCH', path: '/guest', role: 'admin', tag: 'settings', summary: 'Change guest access', body: S.UpdateGuestRequest, response: S.GuestSchema }),
  'networks.list': op({ method: 'GET', path: '/networks', role: 'operator', tag: 'settings', summary: "This computer's networks (CIDRs), for a share's allowed networks", query: S.EmptyQuery, response: list(S.NetworkSchema) }),
  'connect.info': op({ method: 'GET', path: '/connect', role: 'user', tag: 'settings', summary: "How other devices connect: this computer's addresses (best first) and the running adapters' real ports", query: S.EmptyQuery, response: S.ConnectInfoSchema }),

  // --- mounts, clients, stats, alerts ------------------------------------------------
  'mounts.list': op({ method: 'GET', path: '/mounts', role: 'operator', tag: 'mounts', summary: 'Active mounts and sessions (all protocols)', query: S.EmptyQuery, response: list(S.MountSchema) }),
  'mounts.disconnect': op({ method: 'DELETE', path: '/mounts/:id', role: 'operator', tag: 'mounts', summary: 'End a mount / session', params: S.MountParams, response: S.DisconnectResultSchema }),
  'clients.list': op({ method: 'GET', path: '/clients', role: 'operator', tag: 'clients', summary: 'Connected clients (mounts grouped by address)', query: S.EmptyQuery, response: list(S.ClientSchema) }),
  'clients.disconnect': op({ method: 'DELETE', path: '/clients/:address', role: 'operator', tag: 'clients', summary: 'End every session of a client', params: S.ClientParams, response: S.DisconnectResultSchema }),
  'stats.get': op({ method: 'GET', path: '/stats', role: 'operator', tag: 'stats', summary: 'A snapshot of the server', query: S.EmptyQuery, response: S.StatsSchema }),
  'cluster.get': op({ method: 'GET', path: '/cluster', role: 'operator', tag: 'cluster', summary: 'Every dfs instance on this control-plane database: address, version, up since, sessions, health, PostgreSQL pool use', query: S.EmptyQuery, response: ClusterSchema }),
  'cluster.forget': op({ method: 'DELETE', path: '/cluster/:id', role: 'admin', tag: 'cluster', summary: 'Remove a down or stopped instance from the cluster view (one retired for good)', params: InstanceParams, response: S.NoContent, status: 204 }),
  'offloader.list': op({ method: 'GET', path: '/offloader', role: 'operator', tag: 'offloader', summary: 'Per S3 store: upload backlog and rate, local cache use and cap, dedup savings, last GC', query: S.EmptyQuery, response: list(OffloaderSchema) }),
  'offloader.shared': op({ method: 'GET', path: '/offloader/shared', role: 'operator', tag: 'offloader', summary: 'Per S3 store shared by several instances (block index in PostgreSQL): bucket, index database reachable, local cache use, stored blocks, last GC here', query: S.EmptyQuery, response: list(SharedStoreSchema) }),
  'offloader.drain': op({ method: 'POST', path: '/offloader/:store/drain', role: 'operator', tag: 'offloader', summary: 'Wait until every block of the store is in S3', params: OffloaderParams, response: OffloaderSchema }),
  'offloader.gc': op({ method: 'POST', path: '/offloader/:store/gc', role: 'admin', tag: 'offloader', summary: 'Mark and sweep now (an offloaded or a shared store): delete the blocks no file references (after the grace period); the report', params: OffloaderParams, body: GcRequest, response: GcReportSchema }),
  'offloader.evict': op({ method: 'POST', path: '/offloader/:store/evict', role: 'admin', tag: 'offloader', summary: 'Empty the local cache of everything already in S3 (later reads fetch it again)', params: OffloaderParams, response: EvictResultSchema }),
  'alerts.list': op({ method: 'GET', path: '/alerts', role: 'operator', tag: 'alerts', summary: 'Active alerts (not dismissed)', query: S.EmptyQuery, response: list(S.AlertSchema) }),
  'alerts.dismiss': op({ method: 'POST', path: '/alerts/:id/dismiss', role: 'operator', tag: 'alerts', summary: 'Dismiss an alert (raised again only if its cause comes back)', params: S.AlertParams, response: S.NoContent, status: 204 }),
} as const satisfies Record<string, OperationDef>;

export type Operations = typeof OPERATIONS;
export type OperationId = keyof Operations;
export const OPERATION_IDS = Object.keys(OPERATIONS) as OperationId[];

type Part<D, K extends 'params' | 'query' | 'body'> = D extends { [P in K]: infer T extends z.ZodType }
  ? K extends 'query'
    ? { query?: z.input<T> }
    : { [P in K]: z.input<T> }
  : { [P in K]?: never };

/** What a caller passes: `{ params?, query?, body? }` as the operation defines them. */
export type OpInput<K extends OperationId> = Part<Operations[K], 'params'> &
  Part<Operations[K], 'query'> &
  Part<Operations[K], 'body'>;
/** What the operation returns (undefined for 204). */
export type OpOutput<K extends OperationId> = z.output<Operations[K]['response']>;

export const ROLE_RANK: Record<OpRole, number> = { public: 0, user: 1, operator: 2, admin: 3 };

/** Whether a signed-in user of `role` may call an operation needing `required`. */
export function roleAllows(role: S.Role, required: OpRole): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[required];
}

/** `/shares/:name` + {name: '/export'} -> `/shares/%2Fexport` (without API_PREFIX). */
export function fillPath(path: string, params: Record<string, unknown> | undefined): string {
  return path.replace(/:([A-Za-z]+)/g, (_, key: string) => {
    const v = params?.[key];
    if (v === undefined || v === null) throw new Error(`missing path parameter "${key}"`);
    return encodeURIComponent(String(v));
  });
}

export interface HttpRequestSpec {
  method: HttpMethod;
  /** With API_PREFIX and the query string. */
  url: string;
  /** JSON body, when the operation has one. */
  body: unknown;
}

/** The HTTP request for an operation call; shared by the fetch client and the IPC bridge. */
export function buildHttpRequest<K extends OperationId>(id: K, input: OpInput<K>): HttpRequestSpec {
  const def: OperationDef = OPERATIONS[id];
  const { params, query, body } = input as {
    params?: Record<string, unknown>;
    query?: Record<string, unknown>;
    body?: unknown;
  };
  let url = API_PREFIX + fillPath(def.path, params);
  if (query) {
    const qs = Object.entries(query)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
      .join('&');
    if (qs) url += `?${qs}`;
  }
  return { method: def.method, url, body: def.body ? (body ?? {}) : undefined };
}
