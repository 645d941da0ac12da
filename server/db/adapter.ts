import type { EngineKind } from './engine.ts';

/**
 * The two storage adapters behind the repositories.
 *
 * - `embedded`: the app started its own engine (FerretDB on SQLite), is its only
 *   writer, and answers lists, sorts, counts and ranks from in-process indexes it
 *   keeps current on its own writes; documents are read from the engine by `_id`.
 * - `mongodb`: any MongoDB 6+ server, possibly shared by several instances:
 *   indexed queries, `$in`, atomic updates, unique indexes.
 */
export type StorageAdapterKind = 'embedded' | 'mongodb';

/**
 * `auto` picks the embedded adapter only when this process started FerretDB
 * itself (an engine that scans every query but `_id`); a server named by
 * MONGODB_URI, or an embedded mongod, is answered as MongoDB.
 */
export function resolveStorageAdapter(
  setting: 'auto' | StorageAdapterKind,
  startedEngine: EngineKind | undefined,
): StorageAdapterKind {
  if (setting !== 'auto') return setting;
  return startedEngine === 'ferretdb' ? 'embedded' : 'mongodb';
}
