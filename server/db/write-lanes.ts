import mongoose from 'mongoose';

/**
 * Write lanes: the writes of this process to one collection go one at a time.
 *
 * Why: on the embedded engine (FerretDB 1.24 with SQLite) an update is a
 * read-modify-write of the whole document that is not isolated from other
 * connections — 20 concurrent `$inc: { n: 1 }` on one document leave n = 2,
 * and concurrent `$set`s of different fields overwrite each other (measured).
 * Serialising each collection's writes inside the process makes `$inc`,
 * conditional updates and document saves exact for a single app instance; reads
 * stay concurrent. On MongoDB the lanes are harmless (its updates are atomic
 * anyway) and can be turned off with DB_WRITE_LANES=false for throughput.
 * Several app instances sharing one FerretDB are not covered: use MongoDB then.
 */
const WRITE_METHODS = [
  'insertOne',
  'insertMany',
  'updateOne',
  'updateMany',
  'replaceOne',
  'deleteOne',
  'deleteMany',
  'findOneAndUpdate',
  'findOneAndReplace',
  'findOneAndDelete',
  'bulkWrite',
] as const;

const lanes = new Map<string, Promise<unknown>>();
let installed = false;

function inLane<T>(key: string, task: () => Promise<T>): Promise<T> {
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

type Method = (...args: unknown[]) => Promise<unknown>;

export function installWriteLanes(): void {
  if (installed) return;
  installed = true;
  const proto = (mongoose.Collection as unknown as { prototype: Record<string, Method> }).prototype;
  for (const name of WRITE_METHODS) {
    const original = proto[name];
    if (typeof original !== 'function') continue;
    proto[name] = function (this: { name: string }, ...args: unknown[]) {
      return inLane(this.name, () => original.apply(this, args));
    };
  }
}

/** Writes waiting or running, per collection (for diagnostics and tests). */
export function busyLanes(): string[] {
  return [...lanes.keys()];
}
