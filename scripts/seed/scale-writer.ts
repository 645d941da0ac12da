import type { Model } from 'mongoose';

/**
 * Bulk inserts, a collection's documents gathered in batches and written while
 * the seed goes on computing: a few batches in flight at most (the engine is
 * the bottleneck; more would only hold memory).
 */
export class BulkWriter {
  readonly #queues = new Map<Model<never>, Array<Record<string, unknown>>>();
  readonly #inFlight = new Set<Promise<void>>();
  readonly #batch: number;
  readonly #maxInFlight: number;
  #failure: unknown;
  /** Documents stored so far, per collection name. */
  readonly written = new Map<string, number>();

  constructor(options: { batch?: number; maxInFlight?: number } = {}) {
    this.#batch = options.batch ?? 1000;
    this.#maxInFlight = options.maxInFlight ?? 6;
  }

  /** Queues a document; waits when too many batches are in flight. */
  async add(model: Model<never>, doc: Record<string, unknown>): Promise<void> {
    let queue = this.#queues.get(model);
    if (!queue) {
      queue = [];
      this.#queues.set(model, queue);
    }
    queue.push(doc);
    if (queue.length >= this.#batch) await this.#send(model);
  }

  get total(): number {
    let n = 0;
    for (const count of this.written.values()) n += count;
    return n;
  }

  async #send(model: Model<never>): Promise<void> {
    if (this.#failure) throw this.#failure;
    const docs = this.#queues.get(model) ?? [];
    if (docs.length === 0) return;
    this.#queues.set(model, []);
    while (this.#inFlight.size >= this.#maxInFlight) await Promise.race(this.#inFlight);
    const name = model.collection.collectionName;
    const run: Promise<void> = model.collection
      .insertMany(docs as never[], { ordered: false })
      .then(
        () => {
          this.written.set(name, (this.written.get(name) ?? 0) + docs.length);
        },
        (err: unknown) => {
          this.#failure ??= err;
        },
      )
      .finally(() => this.#inFlight.delete(run));
    this.#inFlight.add(run);
  }

  /** Writes everything queued and waits for every batch. */
  async drain(): Promise<void> {
    for (const model of this.#queues.keys()) await this.#send(model);
    await Promise.all(this.#inFlight);
    if (this.#failure) throw this.#failure;
  }
}
