import { setTimeout as sleep } from 'node:timers/promises';
import mongoose from 'mongoose';
import type { Logger } from '../core/logger.ts';
import { addIdIndexes } from './embedded/id-index.ts';
import { countOpening } from './embedded/snapshot.ts';

// Safety defaults for every query in the app (see STACK-NOTES): unknown filter
// keys throw instead of silently widening a filter to {}, and `$`-operators
// arriving inside user-supplied values are neutralised.
mongoose.set('strictQuery', 'throw');
mongoose.set('sanitizeFilter', true);
// Indexes are created explicitly at start-up (ensureIndexes), before requests.
mongoose.set('autoIndex', false);
// While the database is away, queued operations fail after 5 s instead of 10 s.
mongoose.set('bufferTimeoutMS', 5000);

export interface ConnectOptions {
  logger: Logger;
  poolSize?: number;
  /** Longest wait for one operation's answer (default 60 s); past it the operation fails. */
  socketTimeoutMs?: number;
  /** Give up after this long at start-up (default 60 s). */
  maxWaitMs?: number;
}

/**
 * Connects with retries and exponential backoff. Once connected, the driver
 * reconnects by itself after the server goes away; requests made meanwhile fail
 * within a few seconds instead of hanging.
 */
export async function connectDatabase(uri: string, options: ConnectOptions): Promise<void> {
  const logger = options.logger.child({ component: 'db' });
  const deadline = Date.now() + (options.maxWaitMs ?? 60_000);
  let delay = 250;
  for (let attempt = 1; ; attempt++) {
    try {
      await mongoose.connect(uri, {
        maxPoolSize: options.poolSize ?? 20,
        minPoolSize: 1,
        serverSelectionTimeoutMS: 5000,
        heartbeatFrequencyMS: 2000,
        connectTimeoutMS: 5000,
        socketTimeoutMS: options.socketTimeoutMs ?? 60_000,
        retryWrites: false,
      });
      logger.info({ database: mongoose.connection.name, attempt }, 'connected to the database');
      return;
    } catch (err) {
      if (Date.now() + delay > deadline) throw err;
      logger.warn(
        { attempt, retryInMs: delay, err: (err as Error).message },
        'database not reachable yet; retrying',
      );
      await sleep(delay);
      delay = Math.min(delay * 2, 5000);
    }
  }
}

/**
 * Creates every registered model's collection and indexes (unique indexes
 * carry integrity); on the embedded FerretDB, also the index its `_id`
 * lookups can use (see id-index.ts).
 */
export async function ensureIndexes(): Promise<void> {
  for (const name of mongoose.modelNames()) {
    const model = mongoose.model(name);
    await model.createCollection().catch((err: { code?: number }) => {
      if (err.code !== 48) throw err; // NamespaceExists
    });
    await model.createIndexes();
  }
  // The embedded engine's in-memory snapshot is valid only for the next process to open it.
  await countOpening();
  addIdIndexes(mongoose.connection.port, mongoose.connection.name);
}

/**
 * Empties a collection by dropping it and creating it again with its indexes
 * (a rebuild replaces all of a derived collection: on the embedded engine a
 * `deleteMany({})` reads every document first, a drop does not).
 */
export async function recreateCollection(model: mongoose.Model<never>): Promise<void> {
  await model.collection.drop().catch((err: { code?: number }) => {
    if (err.code !== 26) throw err; // NamespaceNotFound
  });
  await model.createCollection().catch((err: { code?: number }) => {
    if (err.code !== 48) throw err;
  });
  await model.createIndexes();
  addIdIndexes(mongoose.connection.port, mongoose.connection.name);
}

/** True when the database answers a ping within `timeoutMs`. */
export async function pingDatabase(timeoutMs = 1500): Promise<boolean> {
  const db = mongoose.connection.db;
  if (!db || mongoose.connection.readyState !== mongoose.ConnectionStates.connected) return false;
  let timer: NodeJS.Timeout | undefined;
  try {
    // The ping may settle after the timeout won the race: it must never reject unhandled.
    const ping = db.command({ ping: 1 }).then(
      () => true,
      () => false,
    );
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    return await Promise.race([ping, timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

export async function disconnectDatabase(): Promise<void> {
  await mongoose.disconnect();
}
