import type { Logger } from '../core/logger.ts';
import type { PostsRepo } from './posts.repo.ts';

/** A person's views of one post within this time count once. */
export const VIEW_WINDOW_MS = 30 * 60_000;
const REMEMBERED = 50_000;

/**
 * Post views, counted without a write per page: a person's view of a post
 * counts once in VIEW_WINDOW_MS (their own posts never), views are added up
 * in memory and written every few seconds with one increment per post (and at
 * shutdown). A crash loses at most those seconds of views; each instance
 * counts its own readers.
 */
export class ViewCounter {
  readonly #posts: Pick<PostsRepo, 'addViews'>;
  readonly #logger: Logger;
  readonly #delayMs: number;
  readonly #clock: () => number;
  /** "<viewer>:<post>" → when the view counted (oldest first: a Map keeps insertion order). */
  readonly #recent = new Map<string, number>();
  #pending = new Map<string, number>();
  #timer: NodeJS.Timeout | null = null;
  #flushing: Promise<void> = Promise.resolve();

  constructor(
    posts: Pick<PostsRepo, 'addViews'>,
    logger: Logger,
    options: { delayMs?: number; clock?: () => number } = {},
  ) {
    this.#posts = posts;
    this.#logger = logger;
    this.#delayMs = options.delayMs ?? 5_000;
    this.#clock = options.clock ?? Date.now;
  }

  /** A person opened a post; true when it counted as a view. */
  seen(postId: string, viewerId: string, authorId: string): boolean {
    if (viewerId === authorId) return false;
    const key = `${viewerId}:${postId}`;
    const now = this.#clock();
    const last = this.#recent.get(key);
    if (last !== undefined && now - last < VIEW_WINDOW_MS) return false;
    this.#recent.delete(key);
    this.#recent.set(key, now);
    if (this.#recent.size > REMEMBERED) this.#recent.delete(this.#recent.keys().next().value!);
    this.#pending.set(postId, (this.#pending.get(postId) ?? 0) + 1);
    this.#schedule();
    return true;
  }

  /** Views counted but not written yet, for a post (pages add them to what is stored). */
  pendingFor(postId: string): number {
    return this.#pending.get(postId) ?? 0;
  }

  #schedule(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.flush().catch((err) => this.#logger.warn({ err }, 'post views not written'));
    }, this.#delayMs);
    this.#timer.unref();
  }

  /** Writes what is pending; resolves when it is stored. */
  flush(): Promise<void> {
    const run = this.#flushing.then(async () => {
      if (this.#timer) {
        clearTimeout(this.#timer);
        this.#timer = null;
      }
      const batch = this.#pending;
      this.#pending = new Map();
      if (batch.size === 0) return;
      try {
        await this.#posts.addViews(batch);
      } catch (err) {
        // Kept for the next flush.
        for (const [id, n] of batch) this.#pending.set(id, (this.#pending.get(id) ?? 0) + n);
        this.#schedule();
        throw err;
      }
    });
    this.#flushing = run.catch(() => undefined);
    return run;
  }
}
