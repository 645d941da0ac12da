import { existsSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';

/**
 * The embedded engine's missing `_id` index.
 *
 * FerretDB 1.24 (SQLite) answers a lookup by `_id` with
 * `WHERE _ferretdb_sjson->'$._id' = ?`, but indexes the collection on the
 * expression `_ferretdb_sjson->"_id"`. SQLite uses an expression index only
 * for the same expression, so every `findById` read the whole table (15 ms at
 * 30,000 documents, growing with the table). This adds, in each collection's
 * table, an index on the expression the lookups use. It touches only the
 * embedded engine's own files (MongoDB, or a server named by MONGODB_URI, has
 * nothing to fix) and FerretDB's metadata is left as it is.
 */
const sqliteDirs = new Map<number, string>();

/** The embedded FerretDB on `port` keeps its databases as `<dir>/<database>.sqlite`. */
export function useSqliteIdIndexes(port: number, dir: string | null): void {
  if (dir) sqliteDirs.set(port, dir);
  else sqliteDirs.delete(port);
}

/** The folder of the embedded FerretDB on `port`'s SQLite files, when this process knows it. */
export function sqliteDirOf(port: number | undefined): string | undefined {
  return port === undefined ? undefined : sqliteDirs.get(port);
}

/**
 * Adds the `_id` lookup index to every table of `database` (on the embedded
 * FerretDB listening on `port`) that lacks it; returns how many were added.
 */
export function addIdIndexes(port: number | undefined, database: string): number {
  const sqliteDir = port === undefined ? undefined : sqliteDirs.get(port);
  if (!sqliteDir) return 0;
  const file = path.join(sqliteDir, `${database}.sqlite`);
  if (!existsSync(file)) return 0;
  const db = new DatabaseSync(file);
  try {
    db.exec('PRAGMA busy_timeout = 10000');
    const tables = db.prepare('SELECT table_name FROM _ferretdb_collections').all() as Array<{
      table_name: string;
    }>;
    const existing = new Set(
      (
        db.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").all() as Array<{ name: string }>
      ).map((r) => r.name),
    );
    let added = 0;
    for (const { table_name: table } of tables) {
      const name = `${table}_pp_id_lookup`;
      if (existing.has(name)) continue;
      db.exec(`CREATE INDEX IF NOT EXISTS "${name}" ON "${table}" (_ferretdb_sjson->'$._id')`);
      added++;
    }
    return added;
  } finally {
    db.close();
  }
}
