import type http from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';
import { type DefaultEventsMap, Server, type Socket } from 'socket.io';
import { z } from 'zod';
import '../auth/auth.events.ts';
import { can } from '../auth/permissions.ts';
import type { SessionUser } from '../auth/session-user.ts';
import { type Config, ConfigError } from '../config.ts';
import { AppError } from '../core/errors.ts';
import type { EventBus } from '../core/events.ts';
import type { Logger } from '../core/logger.ts';
import type { Services } from '../services.ts';
import { type ItemRef, RealtimeBridge, type SocketRequestContext } from './realtime.bridge.ts';
import { registerRealtimeFeatures } from './realtime.wiring.ts';
import { parseRoom, type RoomRef, rooms } from './rooms.ts';
import { SocketSessions } from './socket-session.ts';

export interface RealtimeDeps {
  server: http.Server;
  config: Config;
  logger: Logger;
  events: EventBus;
  services: Services;
  sessionSecret: string;
  /** Shortest time between two counter messages to one room (default 250 ms). */
  throttleMs?: number;
}

export interface RealtimeServer {
  io: Server;
  bridge: RealtimeBridge;
  /** Connected sockets on this instance. */
  connections(): number;
  /** Closes every connection (clients reconnect by themselves) and Redis; the HTTP server stays open. */
  close(): Promise<void>;
}

interface SocketData {
  user: SessionUser;
  sid: string;
  expiresAt: number;
  timer?: NodeJS.Timeout;
}

type AppSocket = Socket<DefaultEventsMap, DefaultEventsMap, DefaultEventsMap, SocketData>;

const joinInput = z.object({ rooms: z.array(z.string().max(100)).max(20) });
const resyncInput = z.object({ since: z.union([z.string().max(40), z.number()]).optional() }).nullish();

type RedisClient = ReturnType<typeof createClient>;

const REDIS_CONNECT_MS = 10_000;

/** Longest delay a Node timer accepts. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Connects the two Redis clients of the adapter. The first connection must
 * succeed (a wrong REDIS_URL stops the start at once, with a clear message);
 * later outages are retried by the client, and logged once.
 */
async function connectRedis(url: string, logger: Logger): Promise<{ pub: RedisClient; sub: RedisClient }> {
  const pub: RedisClient = createClient({ url });
  const sub: RedisClient = pub.duplicate();
  let starting = true;
  let failing = false;
  let timer: NodeJS.Timeout | undefined;
  const firstFailure = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${REDIS_CONNECT_MS / 1000} s`)),
      REDIS_CONNECT_MS,
    );
    for (const client of [pub, sub]) {
      client.on('error', (err: Error) => {
        if (starting) return reject(err);
        if (!failing) logger.warn({ err }, 'realtime: Redis unavailable, retrying');
        failing = true;
      });
      client.on('ready', () => {
        if (failing) logger.info('realtime: Redis available again');
        failing = false;
      });
    }
  });
  try {
    await Promise.race([Promise.all([pub.connect(), sub.connect()]), firstFailure]);
  } catch (err) {
    pub.destroy();
    sub.destroy();
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new ConfigError([`REDIS_URL: cannot connect to Redis at ${new URL(url).host} (${reason})`]);
  } finally {
    starting = false;
    clearTimeout(timer);
  }
  firstFailure.catch(() => {});
  return { pub, sub };
}

/**
 * socket.io on the app's HTTP server. A socket is accepted only with a valid
 * signed-in session (the page's cookie and store), is bound to that person,
 * joins their `user:<id>` room, and is disconnected when that session ends:
 * sign-out, deactivation, a password change or reset (which end sessions), or
 * its idle/absolute expiry. Every request a socket sends is checked against
 * the permission matrix; joining a room also asks the room kind's visibility
 * check. With REDIS_URL, the Redis adapter fans messages (and these checks)
 * out to every instance.
 */
export async function attachRealtime(deps: RealtimeDeps): Promise<RealtimeServer> {
  const { config, logger, events, services } = deps;
  const sessions = new SocketSessions({
    config,
    store: services.sessions,
    auth: services.auth,
    secret: deps.sessionSecret,
  });
  const bridge = new RealtimeBridge({ events, logger, throttleMs: deps.throttleMs });
  const publicOrigin = new URL(config.publicUrl).origin;

  const io = new Server<DefaultEventsMap, DefaultEventsMap, DefaultEventsMap, SocketData>(deps.server, {
    serveClient: false,
    maxHttpBufferSize: 32_000,
    // Browsers send Origin: only the app's own pages may open a socket (cross-site WebSocket hijacking).
    allowRequest: (req, callback) => {
      const origin = req.headers.origin;
      if (!origin) return callback(null, true);
      let host: string | undefined;
      try {
        host = new URL(origin).host;
      } catch {
        host = undefined;
      }
      const allowed = origin === publicOrigin || (host !== undefined && host === req.headers.host);
      callback(allowed ? null : 'origin not allowed', allowed);
    },
  });

  let redis: { pub: RedisClient; sub: RedisClient } | undefined;
  if (config.redisUrl) {
    redis = await connectRedis(config.redisUrl, logger);
    io.adapter(createAdapter(redis.pub, redis.sub, { key: 'passaparola' }));
    logger.info('realtime: Redis adapter on, events fan out to every instance');
  }

  const local = (room: RoomRef): AppSocket[] => {
    const ids = io.of('/').adapter.rooms.get(room);
    if (!ids) return [];
    return [...ids].map((id) => io.of('/').sockets.get(id)).filter((s): s is AppSocket => s !== undefined);
  };

  const mayJoin = async (user: SessionUser, room: string): Promise<boolean> => {
    const parsed = parseRoom(room);
    const access = parsed ? bridge.roomAccess(parsed.kind) : undefined;
    if (!parsed || !access || !can(user, access.permission)) return false;
    return Boolean(await access.canJoin(user, parsed.id));
  };

  const joinedRooms = (socket: AppSocket): string[] => [...socket.rooms].filter((r) => r !== socket.id);

  /** Checks the socket's session again when it would expire (or after `retryMs`, when a check failed). */
  const schedule = (socket: AppSocket, retryMs?: number) => {
    clearTimeout(socket.data.timer);
    const delay =
      retryMs ?? Math.min(MAX_TIMER_MS, Math.max(1000, socket.data.expiresAt - Date.now() + 1000));
    socket.data.timer = setTimeout(() => void revalidate([socket]), delay);
    socket.data.timer.unref();
  };

  /** Checks sockets' sessions again; ends those signed out, refreshes the person of the others. */
  const revalidate = async (sockets: AppSocket[]) => {
    const checks = new Map<string, ReturnType<SocketSessions['check']>>();
    for (const socket of sockets) {
      if (!socket.connected) continue;
      try {
        const pending = checks.get(socket.data.sid) ?? sessions.check(socket.data.sid, socket.data.user.id);
        checks.set(socket.data.sid, pending);
        const result = await pending;
        if (!result.ok) {
          logger.debug({ userId: socket.data.user.id, reason: result.reason }, 'realtime: session ended');
          socket.disconnect(true);
          continue;
        }
        socket.data.user = result.user;
        socket.data.expiresAt = result.expiresAt;
        schedule(socket);
        for (const room of joinedRooms(socket)) {
          if (room !== rooms.user(result.user.id) && !(await mayJoin(result.user, room))) socket.leave(room);
        }
      } catch (err) {
        logger.warn({ err }, 'realtime: session check failed');
        // The database may be away: try again in a minute rather than at once.
        schedule(socket, 60_000);
      }
    }
  };

  const recheckRoom = async (room: string) => {
    for (const socket of local(room)) {
      try {
        if (!(await mayJoin(socket.data.user, room))) socket.leave(room);
      } catch (err) {
        logger.warn({ err, room }, 'realtime: room check failed');
      }
    }
  };

  // Other instances hold their own sockets: they are asked to check theirs.
  const everywhere = (name: 'rt:revalidate' | 'rt:recheck', arg: string, here: () => Promise<void>) => {
    if (redis) io.serverSideEmit(name, arg);
    return here();
  };
  if (redis) {
    io.on('rt:revalidate', (userId: string) => void revalidate(local(rooms.user(userId))));
    io.on('rt:recheck', (room: string) => void recheckRoom(room));
  }
  const revalidateUser = (userId: string) =>
    everywhere('rt:revalidate', userId, () => revalidate(local(rooms.user(userId))));

  const unsubscribe = [
    events.on('user.signedOut', (e) => revalidateUser(e.userId)),
    events.on('user.deactivated', (e) => revalidateUser(e.userId)),
    events.on('user.passwordChanged', (e) => revalidateUser(e.userId)),
    events.on('user.passwordResetByAdmin', (e) => revalidateUser(e.userId)),
    events.on('user.updated', (e) => revalidateUser(e.userId)),
  ];

  // The built-in requests: join and leave rooms, and resync after (re)connecting.
  bridge.defineRoom('user', { permission: 'app.use', canJoin: (user, id) => user.id === id });
  bridge.request('rt:join', {
    permission: 'app.use',
    async handle(ctx, input) {
      const { rooms: wanted } = joinInput.parse(input);
      const joined: string[] = [];
      const refused: string[] = [];
      for (const room of new Set(wanted)) {
        if (await mayJoin(ctx.user, room)) {
          ctx.join(room);
          joined.push(room);
        } else refused.push(room);
      }
      return { joined, refused };
    },
  });
  bridge.request('rt:leave', {
    permission: 'app.use',
    handle(ctx, input) {
      const { rooms: unwanted } = joinInput.parse(input);
      for (const room of unwanted) if (room !== rooms.user(ctx.user.id)) ctx.leave(room);
      return {};
    },
  });
  bridge.request('rt:resync', {
    permission: 'app.use',
    async handle(ctx, input) {
      const raw = resyncInput.parse(input)?.since;
      const parsed = raw === undefined ? Number.NaN : new Date(raw).getTime();
      const since = Number.isFinite(parsed) ? new Date(parsed) : null;
      const counters: Record<string, number> = {};
      const items: ItemRef[] = [];
      for (const room of ctx.rooms) {
        const parsedRoom = parseRoom(room);
        if (!parsedRoom) continue;
        for (const provider of bridge.resyncProviders(parsedRoom.kind)) {
          const state = await provider(ctx.user, parsedRoom.id, since);
          Object.assign(counters, state.counters);
          items.push(...(state.items ?? []));
        }
      }
      return { counters, items, now: new Date().toISOString() };
    },
  });
  registerRealtimeFeatures(bridge, services);

  io.use((socket, next) => {
    sessions.fromCookie(socket.request.headers.cookie).then(
      (result) => {
        if (!result.ok) {
          const refusal = new Error('unauthorized') as Error & { data?: unknown };
          refusal.data = { code: result.reason };
          return next(refusal);
        }
        socket.data = { user: result.user, sid: result.sid, expiresAt: result.expiresAt };
        next();
      },
      (err: unknown) => {
        logger.warn({ err }, 'realtime: handshake failed');
        const refusal = new Error('unavailable') as Error & { data?: unknown };
        refusal.data = { code: 'unavailable' };
        next(refusal);
      },
    );
  });

  io.on('connection', (socket: AppSocket) => {
    socket.join(rooms.user(socket.data.user.id));
    schedule(socket);
    socket.on('disconnect', () => clearTimeout(socket.data.timer));
    for (const [name, request] of bridge.requests()) {
      socket.on(name, async (input: unknown, ack?: unknown) => {
        const reply = typeof ack === 'function' ? (ack as (answer: unknown) => void) : () => {};
        const user = socket.data.user;
        if (!can(user, request.permission)) return reply({ ok: false, error: 'forbidden' });
        const ctx: SocketRequestContext = {
          user,
          rooms: new Set(joinedRooms(socket)),
          join: (room) => socket.join(room),
          leave: (room) => socket.leave(room),
        };
        try {
          reply({ ok: true, ...(await request.handle(ctx, input)) });
        } catch (err) {
          if (err instanceof z.ZodError) return reply({ ok: false, error: 'invalid' });
          if (err instanceof AppError) return reply({ ok: false, error: err.code });
          logger.error({ err, request: name }, 'realtime: socket request failed');
          reply({ ok: false, error: 'failed' });
        }
      });
    }
  });

  bridge.attach(io, { recheck: (room) => everywhere('rt:recheck', room, () => recheckRoom(room)) });

  let closing: Promise<void> | undefined;
  return {
    io,
    bridge,
    connections: () => io.of('/').sockets.size,
    close() {
      closing ??= (async () => {
        for (const off of unsubscribe) off();
        bridge.close();
        for (const socket of io.of('/').sockets.values()) clearTimeout(socket.data.timer);
        // Closing the transports (not the sockets) lets clients reconnect to the next instance or start.
        io.engine.close();
        await io.of('/').adapter.close();
        if (redis) await Promise.allSettled([redis.pub.close(), redis.sub.close()]);
      })();
      return closing;
    },
  };
}
