import type { Config } from './config.ts';
import type { EventBus } from './core/events.ts';
import type { Logger } from './core/logger.ts';
import { HomeService } from './home/home.service.ts';

export interface ServiceDeps {
  config: Config;
  logger: Logger;
  events: EventBus;
}

/** Every service, built once with its dependencies; pages, sockets and tests share them. */
export interface Services {
  home: HomeService;
}

export function createServices(_deps: ServiceDeps): Services {
  return {
    home: new HomeService(),
  };
}
