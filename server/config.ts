import path from 'node:path';
import { z } from 'zod';

/** The project root: config paths default to folders inside it. */
export const projectRoot = path.resolve(import.meta.dirname, '..');

const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], {
    error: 'expected true or false',
  })
  .transform((value) => ['true', '1', 'yes', 'on'].includes(value));

const optionalString = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const integer = (min: number, max: number) =>
  z.coerce
    .number({ error: `expected a whole number between ${min} and ${max}` })
    .int({ error: `expected a whole number between ${min} and ${max}` })
    .min(min, { error: `expected a whole number between ${min} and ${max}` })
    .max(max, { error: `expected a whole number between ${min} and ${max}` });

const mongoUri = z
  .string()
  .trim()
  .refine((value) => /^mongodb(\+srv)?:\/\/.+/.test(value), {
    error: 'expected a mongodb:// or mongodb+srv:// connection string',
  });

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  PORT: integer(0, 65535).default(3000),
  PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
  MONGODB_URI: z
    .string()
    .trim()
    .transform((value) => (value === '' ? undefined : value))
    .pipe(mongoUri.optional())
    .optional(),
  EMBEDDED_ENGINE: z.enum(['auto', 'mongod', 'ferretdb']).default('auto'),
  DATA_DIR: z.string().trim().min(1).default('data'),
  TOOLS_DIR: z.string().trim().min(1).default('.tools'),
  SESSION_SECRET: optionalString.pipe(
    z.string().min(32, { error: 'expected at least 32 characters' }).optional(),
  ),
  COOKIE_SECURE: booleanFromEnv.optional(),
  TRUST_PROXY: optionalString,
  SESSION_IDLE_MINUTES: integer(5, 7 * 24 * 60).default(8 * 60),
  SESSION_ABSOLUTE_HOURS: integer(1, 24 * 90).default(7 * 24),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DEFAULT_LOCALE: z.enum(['it', 'en']).default('it'),
  SEED_ON_START: booleanFromEnv.default(true),
  SHUTDOWN_TIMEOUT_MS: integer(100, 120_000).default(10_000),
  DB_POOL_SIZE: integer(1, 500).default(20),
});

export type Locale = 'it' | 'en';

export interface Config {
  readonly env: 'development' | 'production' | 'test';
  readonly isProduction: boolean;
  readonly host: string;
  readonly port: number;
  readonly publicUrl: string;
  readonly mongodbUri: string | undefined;
  readonly embeddedEngine: 'auto' | 'mongod' | 'ferretdb';
  readonly dataDir: string;
  readonly toolsDir: string;
  /** Undefined means "generate one and keep it in the data folder" (development and test only). */
  readonly sessionSecret: string | undefined;
  readonly cookieSecure: boolean;
  readonly trustProxy: boolean | number | string;
  readonly sessionIdleMinutes: number;
  readonly sessionAbsoluteHours: number;
  readonly logLevel: string;
  readonly defaultLocale: Locale;
  readonly seedOnStart: boolean;
  readonly shutdownTimeoutMs: number;
  readonly dbPoolSize: number;
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

function parseTrustProxy(value: string | undefined): boolean | number | string {
  if (value === undefined) return false;
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}

/**
 * Parses and validates the environment once. Every bad variable is reported at
 * once, by name, with what was expected, so a wrong .env is fixed in one pass.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const name = issue.path.join('.');
      const raw = env[name];
      const shown =
        raw === undefined ? '' : ` (got ${JSON.stringify(raw.length > 60 ? `${raw.slice(0, 60)}…` : raw)})`;
      return `${name}: ${issue.message}${shown}`;
    });
    throw new ConfigError(problems);
  }
  const e = result.data;
  const problems: string[] = [];
  if (e.NODE_ENV === 'production' && !e.SESSION_SECRET) {
    problems.push('SESSION_SECRET: required in production (at least 32 random characters)');
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT || 3000}`).replace(/\/+$/, '');
  const config: Config = {
    env: e.NODE_ENV,
    isProduction: e.NODE_ENV === 'production',
    host: e.HOST,
    port: e.PORT,
    publicUrl,
    mongodbUri: e.MONGODB_URI,
    embeddedEngine: e.EMBEDDED_ENGINE,
    dataDir: path.resolve(projectRoot, e.DATA_DIR),
    toolsDir: path.resolve(projectRoot, e.TOOLS_DIR),
    sessionSecret: e.SESSION_SECRET,
    cookieSecure: e.COOKIE_SECURE ?? publicUrl.startsWith('https:'),
    trustProxy: parseTrustProxy(e.TRUST_PROXY),
    sessionIdleMinutes: e.SESSION_IDLE_MINUTES,
    sessionAbsoluteHours: e.SESSION_ABSOLUTE_HOURS,
    logLevel: e.LOG_LEVEL,
    defaultLocale: e.DEFAULT_LOCALE,
    seedOnStart: e.SEED_ON_START,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    dbPoolSize: e.DB_POOL_SIZE,
  };
  return Object.freeze(config);
}
