/**
 * Request and response schemas of the management API (zod 4). The single definition used
 * by the HTTP server (validation, OpenAPI), the Electron IPC transport, dfsctl and the
 * renderer (forms validate with the same rules before sending). Platform-free.
 *
 * Conventions: request bodies and queries are strict (an unknown key is a validation error,
 * so a typo never passes silently); responses are plain objects (unknown keys are stripped
 * when the server parses its own output, so internal fields such as password hashes never
 * leave it). Times are ISO-8601 strings.
 */
export * from './schemas/scalars.ts';
export * from './schemas/users.ts';
export * from './schemas/shares.ts';
export * from './schemas/stores.ts';
export * from './schemas/server-config.ts';
export * from './schemas/activity.ts';
