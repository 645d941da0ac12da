/**
 * Write lanes: the writes of this process to one collection go one at a time.
 *
 * Why: on the embedded engine (FerretDB 1.24 with SQLite) an update is a
 * read-modify-write of the whole document that is not isolated from other
 * connections — 20 concurrent `$inc: { n: 1 }` on one document leave n = 2,
 * and concurrent `$set`s of different fields overwrite each other (measured).
 * Serialising each collection's writes inside the process makes `$inc`,
 * conditional updates and document saves exact for the one instance the
 * embedded adapter allows, and lets the mirror (mirror.ts) read a written
 * document back before the next write to it; reads stay concurrent. The
 * MongoDB adapter has no lanes: its updates are atomic.
 */
const lanes = new Map<string, Promise<unknown>>();

/** Runs `task` after every earlier task of the same lane has settled. */
export function inLane<T>(key: string, task: () => Promise<T>): Promise<T> {
  const previous = lanes.get(key) ?? Promise.resolve();
  const run = previous.then(task, task);
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  lanes.set(key, settled);
  void settled.then(() => {
    if (lanes.get(key) === settled) lanes.delete(key);
  });
  return run;
}

/** Writes waiting or running, per collection (for diagnostics and tests). */
export function busyLanes(): string[] {
  return [...lanes.keys()];
}
