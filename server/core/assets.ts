import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { NextFunction, Request, Response } from 'express';

interface AssetEntry {
  /** A file on disk, or the content of a bundle built in memory. */
  file?: string;
  content?: Buffer;
  type?: string;
  hash: string;
}

/**
 * The stylesheet is one bundle: `css/base.css` first, then every other file of
 * `public/css/` in name order, so each feature keeps its styles in its own file.
 */
function cssBundle(publicDir: string): Buffer {
  const dir = path.join(publicDir, 'css');
  const names = readdirSync(dir)
    .filter((n) => n.endsWith('.css') && n !== 'base.css')
    .sort();
  return Buffer.concat(
    ['base.css', ...names].map((name) =>
      Buffer.from(`/* ${name} */\n${readFileSync(path.join(dir, name), 'utf8')}\n`),
    ),
  );
}

function hashOf(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex').slice(0, 12);
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
    const css = cssBundle(publicDir);
    this.#entries.set('css/app.css', { content: css, type: 'text/css; charset=utf-8', hash: hashOf(css) });
  }

  #add(logical: string, file: string): void {
    this.#entries.set(logical, { file, hash: hashOf(readFileSync(file)) });
  }

  /** Public URL of an asset; throws for unknown names so typos fail in tests. */
  url(logical: string): string {
    const entry = this.#entries.get(logical);
    if (!entry) throw new Error(`Unknown asset: ${logical}`);
    const ext = path.extname(logical);
    return `/assets/${logical.slice(0, logical.length - ext.length)}.${entry.hash}${ext}`;
  }

  /**
   * The page scripts: every top-level `public/js/*.js` module, in name order
   * (each feature adds its own file; shared code lives in `public/js/lib/`).
   */
  scripts(): string[] {
    return [...this.#entries.keys()]
      .filter((logical) => /^js\/[^/]+\.js$/.test(logical))
      .sort()
      .map((logical) => this.url(logical));
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
      if (entry.content) {
        res.setHeader(
          'Cache-Control',
          immutable ? 'public, max-age=31536000, immutable' : 'public, max-age=0',
        );
        res.setHeader('ETag', `"${entry.hash}"`);
        if (req.headers['if-none-match'] === `"${entry.hash}"`) {
          res.status(304).end();
          return;
        }
        res.type(entry.type ?? 'application/octet-stream').send(entry.content);
        return;
      }
      res.sendFile(entry.file!, {
        maxAge: immutable ? 365 * 24 * 3600 * 1000 : 0,
        immutable,
        dotfiles: 'deny',
      });
    };
  }
}
