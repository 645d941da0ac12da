import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import type { i18n as I18n } from 'i18next';
import mongoose from 'mongoose';
import supertest from 'supertest';
import '../../models/index.ts';
import { createApp } from '../../server/app.ts';
import { type Config, loadConfig } from '../../server/config.ts';
import type { EventBus } from '../../server/core/events.ts';
import { createI18n } from '../../server/core/i18n.ts';
import type { Logger } from '../../server/core/logger.ts';
import { connectDatabase, disconnectDatabase, ensureIndexes } from '../../server/db/connection.ts';
import type { DatabaseSessionStore } from '../../server/middleware/session-store.ts';
import { buildRuntime, type Runtime } from '../../server/runtime.ts';
import type { Services } from '../../server/services.ts';
import { testDatabaseUri, testLogger, testStorageAdapter, uniqueDatabaseName } from './engine.ts';

export const TEST_SESSION_SECRET = 'test-session-secret-that-is-long-enough-0123456789';

export interface TestApp {
  app: Express;
  config: Config;
  services: Services;
  events: EventBus;
  i18n: I18n;
  databaseUri: string;
  runtime: Runtime;
  /** i18n keys that a page asked for and a catalog lacks (each test fails on them). */
  missingKeys: string[];
  /** A cookie-keeping client, like one browser. */
  agent(): supertest.Agent;
  request(): supertest.Agent;
}

export interface TestAppOptions {
  /** Extra environment for loadConfig (a function is called in `before`). */
  env?: Record<string, string> | (() => Record<string, string>);
  /** A database URI to use instead of a fresh one on the shared engine. */
  databaseUri?: () => string;
  /** The app's logger (default: the silent test logger), e.g. to read its request log. */
  logger?: () => Logger;
}

/**
 * Registers mocha hooks that give the enclosing `describe` its own clean
 * database and a real app (createApp) on the real engine. Fields are filled in
 * `before`, so read them inside tests and hooks.
 */
export function useTestApp(options: TestAppOptions = {}): TestApp {
  const ctx = { missingKeys: [] as string[] } as unknown as TestApp;
  let dataDir: string;
  let sessionStore: DatabaseSessionStore | undefined;

  before(async function () {
    this.timeout(60_000);
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'passaparola-app-'));
    const databaseUri =
      options.databaseUri?.() ?? testDatabaseUri(uniqueDatabaseName(this.test?.parent?.title ?? 'suite'));
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      SESSION_SECRET: TEST_SESSION_SECRET,
      DATA_DIR: dataDir,
      MONGODB_URI: databaseUri,
      STORAGE_ADAPTER: testStorageAdapter(),
      SEED_ON_START: 'false',
      ...(typeof options.env === 'function' ? options.env() : options.env),
    });
    await connectDatabase(databaseUri, { logger: testLogger, maxWaitMs: 20_000 });
    await ensureIndexes();
    const i18n = await createI18n({
      defaultLocale: config.defaultLocale,
      onMissingKey: (locale, key) => ctx.missingKeys.push(`${locale}:${key}`),
    });
    // Sessions read from the database each request: tests change them there directly (expiry, sign-outs).
    const runtime = buildRuntime(config, testLogger, { cleanupMinutes: 0, sessionFreshMs: 0 });
    const { events, services } = runtime;
    sessionStore = runtime.sessions;
    const app = createApp({
      config,
      logger: options.logger?.() ?? testLogger,
      i18n,
      events,
      services,
      sessionSecret: TEST_SESSION_SECRET,
    });
    Object.assign(ctx, {
      app,
      config,
      services,
      events,
      i18n,
      databaseUri,
      runtime,
      agent: () => supertest.agent(app),
      request: () => supertest.agent(app),
    });
  });

  afterEach(() => {
    if (ctx.missingKeys.length > 0) {
      const keys = [...new Set(ctx.missingKeys)];
      ctx.missingKeys.length = 0;
      throw new Error(`Pages asked for i18n keys missing from the catalogs: ${keys.join(', ')}`);
    }
  });

  after(async () => {
    sessionStore?.close();
    // Leaderboard increments still in memory belong to this suite's database.
    await ctx.runtime?.services.scoring.ledger.boards.flush().catch(() => {});
    await ctx.runtime?.services.posts.views.flush().catch(() => {});
    if (mongoose.connection.readyState === mongoose.ConnectionStates.connected) {
      await mongoose.connection.dropDatabase().catch(() => {});
    }
    await disconnectDatabase();
    // A suite skipped in an earlier `before` (onlyOnEngine) never made its folder.
    if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
  });

  return ctx;
}

/** Reads the CSRF token from a page the agent loads (default: the home page). */
export async function csrfToken(agent: supertest.Agent, pagePath = '/'): Promise<string> {
  const res = await agent.get(pagePath);
  const match = /name="_csrf" value="([^"]+)"/.exec(res.text);
  if (!match?.[1]) throw new Error(`No CSRF token on ${pagePath} (status ${res.status})`);
  return match[1];
}
