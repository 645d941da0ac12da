import type { Logger } from './logger.ts';

/**
 * The domain events the application announces. Each feature adds its own events
 * by declaration merging in its `<feature>.events.ts`:
 *
 *   declare module '../core/events.ts' {
 *     interface DomainEvents { 'post.created': { postId: string } }
 *   }
 *
 * Services publish facts; scoring, notifications, search indexing and the
 * realtime bridge subscribe. Nothing else calls them directly.
 */
// biome-ignore lint/suspicious/noEmptyInterface: extended by declaration merging
export interface DomainEvents {}

export type DomainEventName = keyof DomainEvents;
type Handler<K extends DomainEventName> = (payload: DomainEvents[K]) => void | Promise<void>;

export class EventBus {
  readonly #handlers = new Map<DomainEventName, Array<Handler<DomainEventName>>>();
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** Subscribes; returns the function that unsubscribes. */
  on<K extends DomainEventName>(name: K, handler: Handler<K>): () => void {
    const list = this.#handlers.get(name) ?? [];
    list.push(handler as Handler<DomainEventName>);
    this.#handlers.set(name, list);
    return () => {
      const current = this.#handlers.get(name) ?? [];
      this.#handlers.set(
        name,
        current.filter((h) => h !== handler),
      );
    };
  }

  /**
   * Runs every subscriber side by side and waits for them all, so that when a
   * service call returns, its consequences (scores, notifications, search,
   * live messages) are written. Subscribers are independent of each other:
   * each reads the fact, never another subscriber's work (a consequence that
   * others follow is an event of its own, such as `score.levelReached`), so a
   * fact costs its slowest subscriber rather than the sum of them. A failing
   * subscriber is logged and does not undo the fact or stop the others.
   */
  async publish<K extends DomainEventName>(name: K, payload: DomainEvents[K]): Promise<void> {
    const list = this.#handlers.get(name);
    if (!list) return;
    await Promise.all(
      [...list].map(async (handler) => {
        try {
          await handler(payload);
        } catch (err) {
          this.#logger.error({ err, event: name }, 'domain event subscriber failed');
        }
      }),
    );
  }

  listenerCount(name: DomainEventName): number {
    return this.#handlers.get(name)?.length ?? 0;
  }
}
