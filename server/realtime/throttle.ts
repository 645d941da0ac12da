/**
 * Coalesces counter updates per room: the first update of a quiet room goes
 * out at once; later ones within `intervalMs` are merged (last value of each
 * counter wins) and sent together when the interval ends. So a burst of 500
 * votes reaches clients as at most 1000/intervalMs messages per second per
 * room, each carrying the latest values.
 */
export class CounterThrottle {
  readonly #intervalMs: number;
  readonly #send: (room: string, values: Record<string, number>) => void;
  /** Rooms inside an interval, with what waits for its end. */
  readonly #open = new Map<string, { pending: Record<string, number> | null; timer: NodeJS.Timeout }>();

  constructor(intervalMs: number, send: (room: string, values: Record<string, number>) => void) {
    this.#intervalMs = intervalMs;
    this.#send = send;
  }

  push(room: string, values: Record<string, number>): void {
    const open = this.#open.get(room);
    if (open) {
      open.pending = { ...open.pending, ...values };
      return;
    }
    this.#send(room, { ...values });
    this.#startInterval(room);
  }

  #startInterval(room: string): void {
    const timer = setTimeout(() => {
      const open = this.#open.get(room);
      this.#open.delete(room);
      if (open?.pending) {
        this.#send(room, open.pending);
        this.#startInterval(room);
      }
    }, this.#intervalMs);
    timer.unref();
    this.#open.set(room, { pending: null, timer });
  }

  /** Sends what is pending now (shutdown) and forgets every interval. */
  flush(): void {
    for (const [room, open] of this.#open) {
      clearTimeout(open.timer);
      if (open.pending) this.#send(room, open.pending);
    }
    this.#open.clear();
  }

  get openRooms(): number {
    return this.#open.size;
  }
}
