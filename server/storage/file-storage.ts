import type { Readable } from 'node:stream';

export interface StoredFile {
  id: string;
  filename: string;
  contentType: string;
  size: number;
  createdAt: Date;
  /** The labels given when the file was saved (owner, post, purpose). */
  metadata: Record<string, string>;
}

export interface FileToStore {
  filename: string;
  contentType: string;
  /** Free-form labels (owner, purpose) kept beside the file. */
  metadata?: Record<string, string>;
}

/**
 * Where uploaded files live. The GridFS implementation keeps them in the
 * database, so every app instance serves every file; the disk one keeps them
 * in the data folder (one instance, or a shared volume).
 */
export interface FileStorage {
  readonly kind: 'gridfs' | 'disk';
  save(data: Buffer, file: FileToStore): Promise<StoredFile>;
  /** The file and a stream of its bytes, or null when it does not exist. */
  open(id: string): Promise<{ file: StoredFile; stream: Readable } | null>;
  read(id: string): Promise<{ file: StoredFile; data: Buffer } | null>;
  remove(id: string): Promise<void>;
}

export async function streamToBuffer(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}
