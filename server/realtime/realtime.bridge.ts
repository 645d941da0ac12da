import type { Server } from 'socket.io';
import type { Action } from '../auth/permissions.ts';
import type { SessionUser } from '../auth/session-user.ts';
import type { DomainEventName, DomainEvents, EventBus } from '../core/events.ts';
import type { Logger } from '../core/logger.ts';
import type { RoomRef } from './rooms.ts';
import { CounterThrottle } from './throttle.ts';

/**
 * The realtime bridge: the only code that calls socket.io to emit. Features
 * never talk to sockets; they publish domain events, and register here, once,
 * at start (server/realtime/realtime.wiring.ts):
 *
 *   - `defineRoom(kind, access)`: who may join rooms of a kind (permission of
 *     the matrix + a visibility check per room id). Joining is always a client
 *     request checked on the server.
 *   - `on(event, mapping)`: domain event → room(s) → client message.
 *   - `onResync(kind, provider)`: the fresh state of a room a client asks for
 *     after (re)connecting, so nothing missed while offline stays stale.
 *   - `request(name, handler)`: a socket request clients may send, checked
 *     against the permission matrix like a route.
 *
 * Counter updates are throttled per room (last value wins); every other
 * message goes out at once.
 */

/** Who may join the rooms of one kind. */
export interface RoomAccess {
  /** Action of the permission matrix (server/auth/permissions.ts) needed to join any room of this kind. */
  permission: Action;
  /** Whether this person may see what happens in room `id` (e.g. the post is visible to them). */
  canJoin(user: SessionUser, id: string): boolean | Promise<boolean>;
}

/** A new (or changed) item for the feeds of open pages. */
export interface ItemRef {
  /** The feed that shows it: pages mark the container with `data-rt-feed="<feed>"`. */
  feed: string;
  /** The item's id in the page (`data-rt-item="<id>"`); an item already shown is replaced. */
  id: string;
  /**
   * Same-origin URL of the item's HTML fragment. The client fetches it with
   * its own session, so the fragment is rendered in the reader's language and
   * the route checks the reader's permission again.
   */
  url: string;
  /** Labels a feed may filter on (`data-rt-accept="a b"`): e.g. the notification type. */
  tags?: string[];
}

/** What a room's resync provider answers: current counters, and items since the client's last message. */
export interface ResyncState {
  counters?: Record<string, number>;
  items?: ItemRef[];
}

export type ResyncProvider = (
  user: SessionUser,
  id: string,
  since: Date | null,
) => ResyncState | Promise<ResyncState>;

type Rooms = RoomRef | RoomRef[];

/** One message for the clients in some rooms (`except`: not to those also in these rooms, e.g. the actor). */
export type Delivery =
  /** Live numbers: `data-rt-counter="<key>"` elements show the value. Throttled per room. */
  | { to: Rooms; counters: Record<string, number> }
  /** A new item for `data-rt-feed` containers (inserted, or announced by a "N new" banner). */
  | { to: Rooms; except?: Rooms; item: ItemRef }
  /** A changed part of a page: `data-rt-fragment="<key>"` elements are replaced by the HTML at `url`. */
  | { to: Rooms; except?: Rooms; refresh: { key: string; url: string } }
  /** Anything else: dispatched in the page as a `realtime:message` DOM event for feature scripts. */
  | { to: Rooms; except?: Rooms; message: { type: string; data?: Record<string, unknown> } }
  /** Visibility changed (post hidden, permission removed): members are checked again, refused ones leave. */
  | { recheck: Rooms };

export type MappingResult = Delivery | Delivery[] | null | undefined;
export type Mapping<K extends DomainEventName> = (
  payload: DomainEvents[K],
) => MappingResult | Promise<MappingResult>;

/** What a socket request handler receives. */
export interface SocketRequestContext {
  /** The person of the socket, as of their last revalidation. */
  user: SessionUser;
  /** Rooms the socket is in (its own id aside). */
  rooms: ReadonlySet<string>;
  join(room: RoomRef): void;
  leave(room: RoomRef): void;
}

export interface SocketRequest {
  /** Action of the permission matrix the person needs (checked before `handle`). */
  permission: Action;
  /** Answers the request; the value is sent back in the acknowledgement (`{ ok: true, ...value }`). */
  handle(
    ctx: SocketRequestContext,
    input: unknown,
  ): Record<string, unknown> | undefined | Promise<Record<string, unknown> | undefined>;
}

/** The socket.io events clients receive (see public/js/realtime.js). */
export const CLIENT_EVENTS = {
  counters: 'rt:counters',
  item: 'rt:item',
  refresh: 'rt:refresh',
  message: 'rt:message',
} as const;

export interface BridgeOptions {
  events: EventBus;
  logger: Logger;
  /** Shortest time between two counter messages to one room (default 250 ms: at most 4 per second). */
  throttleMs?: number;
}

const asList = (rooms: Rooms | undefined): RoomRef[] =>
  rooms === undefined ? [] : Array.isArray(rooms) ? rooms : [rooms];

export class RealtimeBridge {
  readonly #events: EventBus;
  readonly #logger: Logger;
  readonly #roomKinds = new Map<string, RoomAccess>();
  readonly #resync = new Map<string, ResyncProvider[]>();
  readonly #requests = new Map<string, SocketRequest>();
  readonly #unsubscribe: Array<() => void> = [];
  readonly #throttle: CounterThrottle;
  #io: Server | undefined;
  #recheck: ((room: RoomRef) => Promise<void>) | undefined;

  constructor(options: BridgeOptions) {
    this.#events = options.events;
    this.#logger = options.logger;
    this.#throttle = new CounterThrottle(options.throttleMs ?? 250, (room, values) => {
      this.#io?.to(room).emit(CLIENT_EVENTS.counters, { room, values });
    });
  }

  /** Declares a room kind and who may join its rooms. Rooms of undeclared kinds cannot be joined. */
  defineRoom(kind: string, access: RoomAccess): this {
    if (this.#roomKinds.has(kind)) throw new Error(`Room kind "${kind}" is defined twice`);
    this.#roomKinds.set(kind, access);
    return this;
  }

  /** Maps a domain event to the messages it sends. Errors are logged; they never fail the request. */
  on<K extends DomainEventName>(event: K, mapping: Mapping<K>): this {
    this.#unsubscribe.push(
      this.#events.on(event, async (payload) => {
        if (!this.#io) return;
        const result = await mapping(payload);
        for (const delivery of result === null || result === undefined ? [] : [result].flat()) {
          await this.deliver(delivery);
        }
      }),
    );
    return this;
  }

  /**
   * Registers how to compute the current state of a room kind for clients that
   * (re)connect. Several features may register for one kind (the person's room
   * carries the unread count and the own score); their answers are merged.
   */
  onResync(kind: string, provider: ResyncProvider): this {
    this.#resync.set(kind, [...(this.#resync.get(kind) ?? []), provider]);
    return this;
  }

  /** Registers a socket request (`feature:verb`) that clients may send with an acknowledgement. */
  request(name: string, request: SocketRequest): this {
    if (!/^[a-z][a-zA-Z]*:[a-z][a-zA-Z]*$/.test(name))
      throw new Error(`Invalid socket request name: ${name}`);
    if (this.#requests.has(name)) throw new Error(`Socket request "${name}" is registered twice`);
    this.#requests.set(name, request);
    return this;
  }

  roomAccess(kind: string): RoomAccess | undefined {
    return this.#roomKinds.get(kind);
  }

  resyncProviders(kind: string): readonly ResyncProvider[] {
    return this.#resync.get(kind) ?? [];
  }

  requests(): ReadonlyMap<string, SocketRequest> {
    return this.#requests;
  }

  /**
   * Sends one delivery now (counters: through the per-room throttle). The
   * promise settles when a recheck has been applied to this instance's sockets.
   */
  async deliver(delivery: Delivery): Promise<void> {
    const io = this.#io;
    if (!io) return;
    if ('recheck' in delivery) {
      for (const room of asList(delivery.recheck)) await this.#recheck?.(room);
      return;
    }
    const to = asList(delivery.to);
    if (to.length === 0) return;
    if ('counters' in delivery) {
      for (const room of to) this.#throttle.push(room, delivery.counters);
      return;
    }
    const except = asList(delivery.except);
    const target = except.length > 0 ? io.to(to).except(except) : io.to(to);
    if ('item' in delivery) target.emit(CLIENT_EVENTS.item, delivery.item);
    else if ('refresh' in delivery) target.emit(CLIENT_EVENTS.refresh, delivery.refresh);
    else
      target.emit(CLIENT_EVENTS.message, { type: delivery.message.type, data: delivery.message.data ?? {} });
  }

  /** Connects the bridge to the socket.io server (realtime.server.ts does it). */
  attach(io: Server, hooks: { recheck(room: RoomRef): Promise<void> }): void {
    this.#io = io;
    this.#recheck = hooks.recheck;
  }

  /** Stops listening to domain events and sends what the throttle holds. */
  close(): void {
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
    this.#throttle.flush();
    this.#io = undefined;
    this.#logger.debug('realtime bridge closed');
  }
}
