import { AuditService } from './audit/audit.service.ts';
import { AuthService } from './auth/auth.service.ts';
import type { Config } from './config.ts';
import type { EventBus } from './core/events.ts';
import type { Logger } from './core/logger.ts';
import { HomeService } from './home/home.service.ts';
import type { DatabaseSessionStore } from './middleware/session-store.ts';
import { PeopleService } from './people/people.service.ts';
import { SearchService } from './search/search.service.ts';
import type { FileStorage } from './storage/file-storage.ts';
import { createFileStorage } from './storage/index.ts';
import { TeamsService } from './teams/teams.service.ts';
import { UsersService } from './users/users.service.ts';

export interface ServiceDeps {
  config: Config;
  logger: Logger;
  events: EventBus;
  sessions: DatabaseSessionStore;
  storage?: FileStorage;
}

/** Every service, built once with its dependencies; pages, sockets and tests share them. */
export interface Services {
  home: HomeService;
  audit: AuditService;
  auth: AuthService;
  users: UsersService;
  teams: TeamsService;
  people: PeopleService;
  search: SearchService;
  storage: FileStorage;
  sessions: DatabaseSessionStore;
}

export function createServices(deps: ServiceDeps): Services {
  const { config, logger, events, sessions } = deps;
  const storage = deps.storage ?? createFileStorage(config);
  const audit = new AuditService(logger);
  const auth = new AuthService({ config, logger, events, audit, sessions });
  return {
    home: new HomeService(),
    audit,
    auth,
    users: new UsersService({ events, audit, auth, sessions }),
    teams: new TeamsService(audit),
    people: new PeopleService(storage, events),
    search: new SearchService({ logger }),
    storage,
    sessions,
  };
}
