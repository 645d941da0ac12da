import { existsSync, unlinkSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { BSON } from 'mongodb';
import mongoose from 'mongoose';
import { sqliteDirOf } from './id-index.ts';

/**
 * What the embedded adapter holds in memory, written to a file when the app
 * stops cleanly and read back at its next start instead of reading every held
 * collection from the engine (minutes at 100,000 posts; the file takes seconds).
 *
 * A snapshot is used only if no other process has opened the database since it
 * was written: every process that opens the embedded engine's database
 * (the app, the seed, the scripts — they all run `ensureIndexes`) counts itself
 * in a generation document; a snapshot records the generation of the process
 * that wrote it and is valid only for the process that comes right after. The
 * app does not write one when another process opened the database while it
 * ran, a write after the snapshot removes it, and a start consumes it, so a
 * crash always means a full read.
 */

const GENERATION_COLLECTION = 'storage_generation';
const GENERATION_ID = 'opened';
const VERSION = 1;

/** This process's generation for each embedded database it opened (port + database). */
const opened = new Map<string, number>();
const keyOf = (port: number | undefined, database: string) => `${port}/${database}`;

function fileOf(port: number | undefined, database: string): string | undefined {
  const dir = sqliteDirOf(port);
  return dir ? path.join(dir, `${database}.mirror`) : undefined;
}

async function currentGeneration(): Promise<number> {
  const doc = await mongoose.connection
    .collection(GENERATION_COLLECTION)
    .findOne({ _id: GENERATION_ID as never }, { projection: { value: 1 } });
  return Number(doc?.value ?? 0);
}

/**
 * Counts this process as an opener of the connected database. Every process
 * counts itself, also one that reaches the embedded engine by its URI without
 * knowing its files (a script started beside the app): the app learns from
 * this count that someone else may have written (see openedByOthersSince).
 */
export async function countOpening(): Promise<void> {
  const { port, name } = mongoose.connection;
  const doc = await mongoose.connection
    .collection(GENERATION_COLLECTION)
    .findOneAndUpdate(
      { _id: GENERATION_ID as never },
      { $inc: { value: 1 } },
      { upsert: true, returnDocument: 'after' },
    );
  opened.set(keyOf(port, name), Number(doc?.value ?? 1));
}

/**
 * Whether another process has opened the connected database since this one
 * did (a script, a seed): what it wrote is not in this process's memory.
 * True when this process did not count its own opening.
 */
export async function openedByOthersSince(): Promise<boolean> {
  const { port, name } = mongoose.connection;
  const mine = opened.get(keyOf(port, name));
  if (mine === undefined) return true;
  return (await currentGeneration()) !== mine;
}

export interface SnapshotCollection {
  name: string;
  fields: readonly string[] | null;
  docs: Iterable<Readonly<Record<string, unknown>>>;
}

interface Header {
  version: number;
  database: string;
  generation: number;
  collections: Array<{ name: string; fields: readonly string[] | null; bytes: number; count: number }>;
}

/** The snapshot file that a write of this process must remove (set once one is written). */
let written: string | undefined;

/** Called before each write of this process: a snapshot written before it no longer holds. */
export function beforeWrite(): void {
  if (!written) return;
  const file = written;
  written = undefined;
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}

/**
 * Writes the held collections of `database` for the next start, if this
 * process is still the last one that opened it. Returns the file written, or
 * undefined when no snapshot applies (not the embedded engine, or another
 * process opened the database meanwhile).
 */
export async function writeSnapshot(
  database: string,
  collections: SnapshotCollection[],
  deadline = Number.POSITIVE_INFINITY,
): Promise<string | undefined> {
  const { port } = mongoose.connection;
  const file = fileOf(port, database);
  const mine = opened.get(keyOf(port, database));
  if (!file || mine === undefined) return undefined;
  await fs.rm(file, { force: true });
  if ((await currentGeneration()) !== mine) return undefined;
  const header: Header = { version: VERSION, database, generation: mine, collections: [] };
  const bodies: Buffer[] = [];
  for (const c of collections) {
    const parts: Uint8Array[] = [];
    let bytes = 0;
    for (const doc of c.docs) {
      const bson = BSON.serialize(doc);
      parts.push(bson);
      bytes += bson.length;
      // Past the deadline (the app must stop in time): no snapshot, the next start reads it all.
      if (parts.length % 1000 === 0 && Date.now() > deadline) return undefined;
    }
    header.collections.push({ name: c.name, fields: c.fields, bytes, count: parts.length });
    bodies.push(Buffer.concat(parts, bytes));
  }
  const head = Buffer.from(`${JSON.stringify(header)}\n`);
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    await fs.writeFile(temporary, Buffer.concat([head, ...bodies]));
    await fs.rename(temporary, file);
  } catch (err) {
    await fs.rm(temporary, { force: true });
    throw err;
  }
  written = file;
  return file;
}

/** Removes what an interrupted write left behind (a stop cut short by its timeout). */
async function removeLeftovers(file: string): Promise<void> {
  const dir = path.dirname(file);
  const prefix = `${path.basename(file)}.`;
  for (const name of await fs.readdir(dir).catch(() => [] as string[]))
    if (name.startsWith(prefix) && name.endsWith('.tmp')) await fs.rm(path.join(dir, name), { force: true });
}

export interface Snapshot {
  /** The documents of a collection held with these fields, or undefined when the snapshot lacks it. */
  take(name: string, fields: readonly string[] | null): Array<Record<string, unknown>> | undefined;
}

/**
 * The snapshot the previous opener of `database` wrote, if it applies to this
 * process; it is removed from disk as it is read (it is used once).
 */
export async function readSnapshot(database: string): Promise<Snapshot | undefined> {
  const { port } = mongoose.connection;
  const file = fileOf(port, database);
  const mine = opened.get(keyOf(port, database));
  if (!file || mine === undefined) return undefined;
  await removeLeftovers(file);
  if (!existsSync(file)) return undefined;
  let data: Buffer;
  try {
    data = await fs.readFile(file);
  } finally {
    await fs.rm(file, { force: true });
  }
  const newline = data.indexOf(0x0a);
  if (newline < 0) return undefined;
  let header: Header;
  try {
    header = JSON.parse(data.subarray(0, newline).toString('utf8')) as Header;
  } catch {
    return undefined;
  }
  if (header.version !== VERSION || header.database !== database || header.generation !== mine - 1)
    return undefined;
  const sections = new Map<string, { fields: string; start: number; end: number }>();
  let offset = newline + 1;
  for (const c of header.collections) {
    sections.set(c.name, { fields: JSON.stringify(c.fields), start: offset, end: offset + c.bytes });
    offset += c.bytes;
  }
  if (offset !== data.length) return undefined;
  return {
    take(name, fields) {
      const section = sections.get(name);
      if (!section || section.fields !== JSON.stringify(fields)) return undefined;
      const docs: Array<Record<string, unknown>> = [];
      for (let at = section.start; at < section.end; ) {
        const size = data.readInt32LE(at);
        docs.push(BSON.deserialize(data.subarray(at, at + size)));
        at += size;
      }
      return docs;
    },
  };
}
