import path from 'node:path';
import type { Config } from '../config.ts';
import { DiskStorage } from './disk-storage.ts';
import type { FileStorage } from './file-storage.ts';
import { GridFsStorage } from './gridfs-storage.ts';

export function createFileStorage(config: Config): FileStorage {
  return config.uploadStorage === 'disk'
    ? new DiskStorage(path.join(config.dataDir, 'uploads'))
    : new GridFsStorage();
}
