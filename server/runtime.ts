import type { Config } from './config.ts';
import { EventBus } from './core/events.ts';
import type { Logger } from './core/logger.ts';
import { resolveStorageAdapter } from './db/adapter.ts';
import type { EngineKind } from './db/engine.ts';
import { createRepositories, type Repositories } from './db/repositories.ts';
import { subscribeKbNotifications } from './kb/kb.notifications.ts';
import { DatabaseSessionStore } from './middleware/session-store.ts';
import { subscribeNotifications } from './notifications/notifications.subscribers.ts';
import { subscribePostNotifications } from './posts/posts.notifications.ts';
import { subscribeScoreNotifications } from './scoring/scoring.notifications.ts';
import { subscribeScoring } from './scoring/scoring.subscribers.ts';
import { registerSearchSources, subscribeSearch } from './search/search.wiring.ts';
import { createServices, type Services } from './services.ts';

/** Everything the app, the scripts and the tests share once the database is open. */
export interface Runtime {
  config: Config;
  logger: Logger;
  events: EventBus;
  sessions: DatabaseSessionStore;
  repos: Repositories;
  services: Services;
}

export function buildRuntime(
  config: Config,
  logger: Logger,
  options: {
    cleanupMinutes?: number;
    /** How long a session read is given from memory (DatabaseSessionStore's `freshMs`). */
    sessionFreshMs?: number /** The engine this process started, if any. */;
    engine?: EngineKind;
  } = {},
): Runtime {
  const events = new EventBus(logger);
  const sessions = new DatabaseSessionStore({
    logger,
    cleanupMinutes: options.cleanupMinutes ?? 10,
    freshMs: options.sessionFreshMs,
    fallbackTtlMs: config.sessionIdleMinutes * 60_000,
  });
  const repos = createRepositories(resolveStorageAdapter(config.storageAdapter, options.engine), logger);
  const services = createServices({ config, logger, events, sessions, repos });
  // Domain-event subscribers, registered once for the whole runtime.
  services.kb.subscribe();
  registerSearchSources(services.search, repos);
  subscribeSearch(events, services.search, repos.threads, logger);
  subscribeNotifications(events, services.notifications);
  subscribePostNotifications(events, services.notifications);
  subscribeKbNotifications(events, services.notifications);
  subscribeScoring(events, services.scoring.ledger);
  subscribeScoreNotifications(events, services.notifications);
  return { config, logger, events, sessions, repos, services };
}

/**
 * Services for writing history (the demo seed): the same event bus, so every
 * subscriber sees the facts, but with the given clock and without the abuse
 * limits that stop a person from posting twice in a few seconds.
 */
export function historyServices(runtime: Runtime, clock: () => Date): Services {
  const config: Config = Object.freeze({
    ...runtime.config,
    posting: {
      ...runtime.config.posting,
      intervalSeconds: 0,
      duplicateWindowMinutes: 0,
      uploadsPerMinute: 1_000_000,
    },
  });
  return createServices({
    config,
    logger: runtime.logger,
    events: runtime.events,
    sessions: runtime.sessions,
    repos: runtime.repos,
    storage: runtime.services.storage,
    clock,
  });
}
