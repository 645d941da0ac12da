import { Readable } from 'node:stream';
import { GridFSBucket, ObjectId } from 'mongodb';
import mongoose from 'mongoose';
import type { FileStorage, FileToStore, StoredFile } from './file-storage.ts';
import { streamToBuffer } from './file-storage.ts';

const BUCKET = 'uploads';

/** Files in the database with GridFS (bucket "uploads"). */
export class GridFsStorage implements FileStorage {
  readonly kind = 'gridfs' as const;

  #bucket(): GridFSBucket {
    const db = mongoose.connection.db;
    if (!db) throw new Error('GridFsStorage used before the database connection is open');
    // The bucket is cheap; a new one per call follows reconnections.
    return new GridFSBucket(db as unknown as ConstructorParameters<typeof GridFSBucket>[0], {
      bucketName: BUCKET,
    });
  }

  async save(data: Buffer, file: FileToStore): Promise<StoredFile> {
    const bucket = this.#bucket();
    const id = new ObjectId();
    await new Promise<void>((resolve, reject) => {
      const upload = bucket.openUploadStreamWithId(id, file.filename, {
        metadata: { ...(file.metadata ?? {}), contentType: file.contentType },
      });
      upload.once('finish', () => resolve());
      upload.once('error', reject);
      Readable.from([data]).pipe(upload);
    });
    return {
      id: id.toHexString(),
      filename: file.filename,
      contentType: file.contentType,
      size: data.length,
      createdAt: new Date(),
      metadata: file.metadata ?? {},
    };
  }

  async #info(id: string): Promise<StoredFile | null> {
    if (!ObjectId.isValid(id) || !/^[0-9a-f]{24}$/i.test(id)) return null;
    const doc = await this.#bucket()
      .find({ _id: new ObjectId(id) })
      .next();
    if (!doc) return null;
    return {
      id,
      filename: doc.filename,
      contentType: String(
        (doc.metadata as Record<string, unknown> | undefined)?.contentType ?? 'application/octet-stream',
      ),
      size: doc.length,
      createdAt: doc.uploadDate,
      metadata: Object.fromEntries(
        Object.entries((doc.metadata ?? {}) as Record<string, unknown>)
          .filter(([key]) => key !== 'contentType')
          .map(([key, value]) => [key, String(value)]),
      ),
    };
  }

  async open(id: string) {
    const file = await this.#info(id);
    if (!file) return null;
    return { file, stream: this.#bucket().openDownloadStream(new ObjectId(id)) };
  }

  async read(id: string) {
    const opened = await this.open(id);
    if (!opened) return null;
    return { file: opened.file, data: await streamToBuffer(opened.stream) };
  }

  async remove(id: string): Promise<void> {
    if (!(await this.#info(id))) return;
    await this.#bucket().delete(new ObjectId(id));
  }
}
