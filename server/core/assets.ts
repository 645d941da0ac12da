import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { NextFunction, Request, Response } from 'express';

interface AssetEntry {
  file: string;
  hash: string;
}

/**
 * Fingerprinted static assets: `asset('css/app.css')` gives
 * `/assets/css/app.<hash>.css`, served with a one-year immutable cache; a new
 * deploy changes the hash, so browsers never keep a stale file. No CDN: every
 * file is served by the app (intranet).
 */
export class AssetManifest {
  readonly #entries = new Map<string, AssetEntry>();

  constructor(publicDir: string, extra: Record<string, string> = {}) {
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const full = path.join(dir, name);
        if (statSync(full).isDirectory()) walk(full);
        else this.#add(path.relative(publicDir, full).split(path.sep).join('/'), full);
      }
    };
    walk(publicDir);
    for (const [logical, file] of Object.entries(extra)) this.#add(logical, file);
  }

  #add(logical: string, file: string): void {
    const hash = createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 12);
    this.#entries.set(logical, { file, hash });
  }

  /** Public URL of an asset; throws for unknown names so typos fail in tests. */
  url(logical: string): string {
    const entry = this.#entries.get(logical);
    if (!entry) throw new Error(`Unknown asset: ${logical}`);
    const ext = path.extname(logical);
    return `/assets/${logical.slice(0, logical.length - ext.length)}.${entry.hash}${ext}`;
  }

  middleware() {
    return (req: Request, res: Response, next: NextFunction) => {
      if (req.method !== 'GET' && req.method !== 'HEAD') return next();
      const match = /^\/(.+)\.([0-9a-f]{12})(\.[a-z0-9]+)$/.exec(req.path);
      const logical = match ? `${match[1]}${match[3]}` : req.path.slice(1);
      const entry = this.#entries.get(logical);
      if (!entry) return next();
      const immutable = match !== null && match[2] === entry.hash;
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.sendFile(entry.file, {
        maxAge: immutable ? 365 * 24 * 3600 * 1000 : 0,
        immutable,
        dotfiles: 'deny',
      });
    };
  }
}
