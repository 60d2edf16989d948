/** The management API contract: schemas, the operation table, events and a typed client. */
export * from './schemas.ts';
export * from './operations.ts';
export * from './events.ts';
export * from './access.ts';
export * from './presets.ts';
export * from './client.ts';
export * from './cluster.ts';
export * from './store-test.ts';
