import { randomUUID } from 'node:crypto';
import path from 'node:path';
import compression from 'compression';
import cookieParser from 'cookie-parser';
import express, { type Express, type Request } from 'express';
import { engine } from 'express-handlebars';
import session from 'express-session';
import helmet from 'helmet';
import type { i18n as I18n } from 'i18next';
import { pinoHttp } from 'pino-http';
import { adminRoutes } from './admin/admin.routes.ts';
import { authRoutes } from './auth/auth.routes.ts';
import { OidcLogin } from './auth/oidc.ts';
import { createPassport, sessionLimits } from './auth/passport.ts';
import { type Config, projectRoot } from './config.ts';
import { editorRoutes } from './content/editor.routes.ts';
import { AssetManifest } from './core/assets.ts';
import type { EventBus } from './core/events.ts';
import { type Logger, requestLine } from './core/logger.ts';
import { createViewHelpers } from './core/view-helpers.ts';
import { Availability } from './health/availability.ts';
import { healthRoutes } from './health/health.routes.ts';
import { kbRoutes } from './kb/kb.routes.ts';
import { createCsrf } from './middleware/csrf.ts';
import { createErrorHandler, notFoundHandler } from './middleware/error-handler.ts';
import { flashMessages, formState } from './middleware/form-state.ts';
import { localeMiddleware } from './middleware/locale.ts';
import { saveSessionBeforeRedirect } from './middleware/save-before-redirect.ts';
import { unreadBadge } from './notifications/notifications.badge.ts';
import { notificationsRoutes } from './notifications/notifications.routes.ts';
import { peopleRoutes } from './people/people.routes.ts';
import { duplicatesRoutes } from './posts/duplicates.routes.ts';
import { feedsRoutes } from './posts/feeds.routes.ts';
import { moderationRoutes } from './posts/moderation.routes.ts';
import { postsRoutes } from './posts/posts.routes.ts';
import { preferencesRoutes } from './preferences/preferences.routes.ts';
import { realtimeAssets } from './realtime/realtime.assets.ts';
import { scoringAdminRoutes } from './scoring/scoring.admin.routes.ts';
import { scoringAssets } from './scoring/scoring.assets.ts';
import { scoringRoutes } from './scoring/scoring.routes.ts';
import { searchRoutes } from './search/search.routes.ts';
import type { Services } from './services.ts';
import { settingsRoutes } from './settings/settings.routes.ts';
import { teamsRoutes } from './teams/teams.routes.ts';
import { topicsRoutes } from './topics/topics.routes.ts';
import { votesRoutes } from './votes/votes.routes.ts';

export const viewsDir = path.join(projectRoot, 'views');
export const publicDir = path.join(projectRoot, 'public');

export interface AppDeps {
  config: Config;
  logger: Logger;
  i18n: I18n;
  events: EventBus;
  services: Services;
  sessionSecret: string;
  /** Stopping, and the database's watched state (the server's; tests get one that is always available). */
  availability?: Availability;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

/** Builds the Express application; it never listens (index.ts and the tests do). */
export function createApp(deps: AppDeps): Express {
  const { config, logger } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.set('query parser', 'simple');

  const assets = new AssetManifest(publicDir, { ...realtimeAssets, ...scoringAssets });
  app.engine(
    'hbs',
    engine({
      extname: '.hbs',
      defaultLayout: 'main',
      layoutsDir: path.join(viewsDir, 'layouts'),
      partialsDir: path.join(viewsDir, 'partials'),
      helpers: createViewHelpers(assets),
    }),
  );
  app.set('view engine', 'hbs');
  app.set('views', viewsDir);
  if (config.isProduction) app.enable('view cache');

  app.use(
    pinoHttp({
      logger,
      genReqId: (req, res) => {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      // One compact line per request (requestLine), and the request id on every line
      // logged while serving it: no headers, no cookies, no secrets from the URL.
      quietReqLogger: true,
      quietResLogger: true,
      autoLogging: {
        ignore: (req) =>
          req.url === '/healthz' || req.url === '/readyz' || req.url?.startsWith('/assets/') === true,
      },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
      customSuccessObject: (req, res, line: { responseTime: number }) =>
        requestLine(req as Request, res, line.responseTime),
      customErrorObject: (req, res, _err, line: { responseTime: number }) =>
        requestLine(req as Request, res, line.responseTime),
      customSuccessMessage: (_req, res) => (res.writableFinished ? 'request completed' : 'request aborted'),
      customErrorMessage: (_req, res) => (res.writableFinished ? 'request completed' : 'request aborted'),
    }),
  );

  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: true,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:', 'blob:'],
          connectSrc: ["'self'"],
          fontSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'none'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          upgradeInsecureRequests: config.cookieSecure ? [] : null,
        },
      },
      strictTransportSecurity: config.cookieSecure ? { maxAge: 31_536_000, includeSubDomains: true } : false,
      referrerPolicy: { policy: 'same-origin' },
    }),
  );
  app.use(compression());
  app.use('/assets', assets.middleware());
  const availability = deps.availability ?? new Availability({ unresponsiveMs: config.dbUnresponsiveMs });
  app.use(healthRoutes(availability));
  app.use(availability.middleware());

  app.use(
    session({
      name: config.cookieSecure ? '__Host-pp.sid' : 'pp.sid',
      secret: deps.sessionSecret,
      store: deps.services.sessions,
      resave: false,
      saveUninitialized: false,
      rolling: true,
      cookie: {
        httpOnly: true,
        sameSite: 'lax',
        secure: config.cookieSecure,
        path: '/',
        maxAge: config.sessionIdleMinutes * 60_000,
      },
    }),
  );
  app.use(cookieParser());
  app.use(saveSessionBeforeRedirect);
  const passport = createPassport(deps.services.auth);
  app.use(passport.initialize());
  app.use(passport.session());
  app.use(sessionLimits(config));
  app.use(localeMiddleware(deps.i18n, config.defaultLocale, (req) => req.user?.locale ?? undefined));
  app.use(express.urlencoded({ extended: false, limit: '1100kb', parameterLimit: 500 }));
  app.use(express.json({ limit: '200kb' }));
  // A body no parser read (multipart, read by the upload middleware of the routes that
  // take files; an unknown type) is an empty form to the routes, never a missing one.
  app.use((req, _res, next) => {
    req.body ??= {};
    next();
  });
  const csrf = createCsrf({ secret: deps.sessionSecret, secure: config.cookieSecure });
  app.use(csrf.exposeToken);
  app.use(csrf.protect);
  app.use((req, res, next) => {
    res.locals.currentPath = req.originalUrl;
    res.locals.user = req.user;
    next();
  });
  app.use(flashMessages);
  app.use(formState);
  app.use(unreadBadge(deps.services.notifications));

  const { services } = deps;
  const oidc = config.oidc ? new OidcLogin(config.oidc, passport, services.auth, logger) : undefined;
  app.use(authRoutes({ config, auth: services.auth, passport, oidc }));
  app.use(feedsRoutes({ feeds: services.feeds, topics: services.topics }));
  app.use(duplicatesRoutes(services.duplicates));
  app.use(postsRoutes({ config, ...services }));
  app.use(editorRoutes({ config, editor: services.editor, people: services.people, kb: services.kb }));
  app.use(topicsRoutes({ topics: services.topics, feeds: services.feeds }));
  app.use(moderationRoutes(services.moderation));
  app.use(votesRoutes(services.votes));
  app.use(kbRoutes({ kb: services.kb, topics: services.topics, answers: services.answers }));
  app.use(preferencesRoutes(config, services.people));
  app.use(peopleRoutes(services.people, services.topics));
  app.use(settingsRoutes({ config, people: services.people, auth: services.auth }));
  app.use(
    adminRoutes({
      users: services.users,
      teams: services.teams,
      audit: services.audit,
      importMaxBytes: 1_000_000,
    }),
  );
  app.use(teamsRoutes(services.teams));
  app.use(scoringRoutes({ scoring: services.scoring, topics: services.topics, teams: services.teams }));
  app.use(scoringAdminRoutes(services.scoring));
  app.use(notificationsRoutes(services.notifications));
  app.use(
    searchRoutes({
      search: services.search,
      synonyms: services.synonyms,
      people: services.people,
      teams: services.teams,
      kb: services.kb,
    }),
  );

  app.use(notFoundHandler);
  app.use(createErrorHandler(viewsDir, logger, deps.i18n, config.defaultLocale));
  return app;
}
