/**
 * How a store several dfs instances serve (PostgreSQL) carries directory changes between
 * them (docs/cluster.md): what one instance's ChangeFeed emits reaches the feeds of the
 * others, so SMB CHANGE_NOTIFY watchers and SMB's open paths on every instance see changes
 * made through any of them. MetadataService wires each such store's bus to its feed.
 */
import type { DirChange } from './change-feed.ts';

export interface ChangeBus {
  /** Announces changes made through this instance (after they are committed) to the other instances. */
  publish(key: string, changes: readonly DirChange[]): void;
  /** Calls `fn` with the changes other instances announce (never this instance's own). */
  listen(fn: (key: string, changes: DirChange[]) => void): void;
}
