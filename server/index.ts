import type { AddressInfo } from 'node:net';
import '../models/index.ts';
import { createApp } from './app.ts';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { createI18n } from './core/i18n.ts';
import { createLogger, type Logger } from './core/logger.ts';
import { resolveSessionSecret } from './core/secrets.ts';
import { connectDatabase, disconnectDatabase, ensureIndexes } from './db/connection.ts';
import { EmbeddedEngine } from './db/engine.ts';
import { EngineUnavailableError } from './db/ferretdb-build.ts';
import { Leases } from './db/leases.ts';
import { Availability } from './health/availability.ts';
import { Housekeeping } from './housekeeping.ts';
import { createHttpServer, drainHttpServer } from './http-server.ts';
import { attachRealtime, type RealtimeServer } from './realtime/realtime.server.ts';
import { buildRuntime, type Runtime } from './runtime.ts';
import { isDatabaseEmpty, seedDemo } from './seed/seed.ts';

export interface RunningServer {
  url: string;
  config: Config;
  engine: EmbeddedEngine | undefined;
  /** socket.io and the realtime bridge (benchmarks register their own mappings). */
  realtime: RealtimeServer;
  /** The services and event bus (benchmarks prepare their data with them). */
  runtime: Runtime;
  stop(): Promise<void>;
}

/**
 * Starts the database engine (unless MONGODB_URI names one) and connects to it.
 * The server bounds each operation by DB_OPERATION_TIMEOUT_MS (`serving`);
 * scripts, whose bulk writes may take longer, keep the driver's minute.
 */
export async function openDatabase(
  config: Config,
  logger: Logger,
  options: { serving?: boolean } = {},
): Promise<EmbeddedEngine | undefined> {
  let engine: EmbeddedEngine | undefined;
  let uri = config.mongodbUri;
  if (!uri) {
    engine = await EmbeddedEngine.start({
      dataDir: config.dataDir,
      toolsDir: config.toolsDir,
      kind: config.embeddedEngine,
      logger,
      exclusive: options.serving === true,
    });
    uri = engine.uri('passaparola');
  }
  try {
    await connectDatabase(uri, {
      logger,
      poolSize: config.dbPoolSize,
      socketTimeoutMs: options.serving ? config.dbOperationTimeoutMs : undefined,
    });
    await ensureIndexes();
  } catch (err) {
    await engine?.stop();
    throw err;
  }
  return engine;
}

/** Composition root: config → database → services → app → HTTP server. */
export async function startServer(env: NodeJS.ProcessEnv = process.env): Promise<RunningServer> {
  const config = loadConfig(env);
  const logger = createLogger(config.logLevel);
  const started = Date.now();

  const engine = await openDatabase(config, logger, { serving: true });
  try {
    return await startOnDatabase(config, logger, engine, started);
  } catch (err) {
    await disconnectDatabase().catch(() => {});
    await engine?.stop();
    throw err;
  }
}

async function startOnDatabase(
  config: Config,
  logger: Logger,
  engine: EmbeddedEngine | undefined,
  started: number,
): Promise<RunningServer> {
  const runtime = buildRuntime(config, logger, { engine: engine?.kind });
  // The embedded adapter reads its collections into memory before the first request.
  await runtime.repos.ready();
  const { events, services, sessions: sessionStore } = runtime;
  if (config.seedOnStart && (await isDatabaseEmpty())) {
    logger.info('empty database: writing the demo organisation');
    await seedDemo(runtime);
  } else if (config.seedOnStart) {
    logger.info('the database already holds data: demo seed skipped');
  }

  const i18n = await createI18n({ defaultLocale: config.defaultLocale });
  if (config.admin) {
    const outcome = await services.auth.ensureAdmin(config.admin);
    logger.info({ email: config.admin.email, outcome }, 'first administrator (ADMIN_EMAIL)');
  }
  // Scheduled work (expired links and windows, review dates, the serial-voting
  // check), done by one instance at a time under a lease.
  const housekeeping = new Housekeeping({ services, leases: new Leases(), logger });
  housekeeping.start();
  // The search index loads in the background (the first search waits for it otherwise).
  void services.search.warm().catch((err: unknown) => logger.warn({ err }, 'search index warm-up failed'));
  const sessionSecret = await resolveSessionSecret(config);
  const availability = new Availability({ unresponsiveMs: config.dbUnresponsiveMs, logger });
  availability.watch();
  const app = createApp({ config, logger, i18n, events, services, sessionSecret, availability });

  const server = createHttpServer(app, config);
  const realtime = await attachRealtime({ server, config, logger, events, services, sessionSecret });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  }).catch(async (err: unknown) => {
    await realtime.close();
    throw err;
  });
  const address = server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const url = `http://${host}:${address.port}`;
  logger.info(
    { url, engine: engine?.kind ?? 'external', startupMs: Date.now() - started },
    'Passaparola is listening',
  );

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      const stopStarted = Date.now();
      logger.info('shutting down');
      // How long each step took, logged with "stopped" (a stop that nears its deadline says where it went).
      const steps: Record<string, number> = {};
      let last = stopStarted;
      const step = (name: string) => {
        const now = Date.now();
        steps[name] = now - last;
        last = now;
      };
      // Readiness turns red first: a load balancer stops sending while what was sent is served.
      availability.markStopping();
      await realtime.close();
      const cut = await drainHttpServer(server, {
        quietMs: config.shutdownQuietMs,
        // Half the time at most for requests: the rest stores what is held and stops the engine.
        deadline: stopStarted + Math.max(100, Math.floor(config.shutdownTimeoutMs / 2)),
      });
      if (cut > 0) logger.warn({ requests: cut }, 'requests still running at the shutdown deadline were cut');
      step('drainMs');
      availability.close();
      sessionStore.close();
      await housekeeping.stop();
      await services.scoring.ledger.boards
        .flush()
        .catch((err: unknown) => logger.warn({ err }, 'leaderboard flush failed'));
      await services.posts.views
        .flush()
        .catch((err: unknown) => logger.warn({ err }, 'post views not written'));
      step('flushMs');
      await runtime.repos
        .close(stopStarted + config.shutdownTimeoutMs - 2000)
        .catch((err: unknown) =>
          logger.warn({ err }, 'storage not closed cleanly; the next start reads it all'),
        );
      step('storageMs');
      await disconnectDatabase().catch((err: unknown) => logger.warn({ err }, 'database disconnect failed'));
      await engine?.stop();
      step('engineMs');
      logger.info({ ...steps, ms: Date.now() - stopStarted }, 'stopped');
    })();
    return stopping;
  };

  return { url, config, engine, realtime, runtime, stop };
}

async function main(): Promise<void> {
  let running: RunningServer;
  try {
    running = await startServer();
  } catch (err) {
    if (err instanceof ConfigError || err instanceof EngineUnavailableError) {
      process.stderr.write(`\n${err.message}\n\n`);
    } else {
      process.stderr.write(`\nPassaparola could not start: ${(err as Error).stack ?? err}\n\n`);
    }
    process.exit(1);
  }
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) process.exit(1);
    const timer = setTimeout(() => {
      process.stderr.write(`Shutdown took longer than ${running.config.shutdownTimeoutMs} ms; exiting.\n`);
      process.exit(1);
    }, running.config.shutdownTimeoutMs);
    timer.unref();
    void running.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`Shutdown failed after ${signal}: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

if (import.meta.main) await main();
