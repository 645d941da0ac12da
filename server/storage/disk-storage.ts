import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FileStorage, FileToStore, StoredFile } from './file-storage.ts';

const ID = /^[0-9a-f]{24}$/;

/** Files in a folder: `<id>` holds the bytes, `<id>.json` what is known about them. */
export class DiskStorage implements FileStorage {
  readonly kind = 'disk' as const;
  readonly #dir: string;

  constructor(dir: string) {
    this.#dir = dir;
  }

  async save(data: Buffer, file: FileToStore): Promise<StoredFile> {
    await fs.mkdir(this.#dir, { recursive: true });
    const id = randomBytes(12).toString('hex');
    const stored: StoredFile = {
      id,
      filename: file.filename,
      contentType: file.contentType,
      size: data.length,
      createdAt: new Date(),
      metadata: file.metadata ?? {},
    };
    await fs.writeFile(path.join(this.#dir, id), data);
    await fs.writeFile(path.join(this.#dir, `${id}.json`), JSON.stringify(stored));
    return stored;
  }

  async #info(id: string): Promise<StoredFile | null> {
    if (!ID.test(id)) return null;
    try {
      const meta = JSON.parse(await fs.readFile(path.join(this.#dir, `${id}.json`), 'utf8')) as StoredFile;
      return { ...meta, metadata: meta.metadata ?? {}, createdAt: new Date(meta.createdAt) };
    } catch {
      return null;
    }
  }

  async open(id: string) {
    const file = await this.#info(id);
    if (!file) return null;
    return { file, stream: createReadStream(path.join(this.#dir, id)) };
  }

  async read(id: string) {
    const file = await this.#info(id);
    if (!file) return null;
    return { file, data: await fs.readFile(path.join(this.#dir, id)) };
  }

  async remove(id: string): Promise<void> {
    if (!ID.test(id)) return;
    await fs.rm(path.join(this.#dir, id), { force: true });
    await fs.rm(path.join(this.#dir, `${id}.json`), { force: true });
  }
}
