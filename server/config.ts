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

const redisUrl = z
  .string()
  .trim()
  .refine((value) => /^rediss?:\/\/[^\s/]+/.test(value), {
    error: 'expected a redis:// or rediss:// URL',
  });

export const envSchema = z.object({
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
  SHUTDOWN_TIMEOUT_MS: integer(100, 120_000).default(30_000),
  HTTP_HEADERS_TIMEOUT_MS: integer(500, 600_000).default(20_000),
  HTTP_REQUEST_TIMEOUT_MS: integer(500, 3_600_000).default(60_000),
  HTTP_IDLE_TIMEOUT_MS: integer(500, 600_000).default(65_000),
  DB_POOL_SIZE: integer(1, 500).default(20),
  DB_UNRESPONSIVE_MS: integer(200, 60_000).default(1000),
  DB_OPERATION_TIMEOUT_MS: integer(1000, 600_000).default(15_000),
  SHUTDOWN_QUIET_MS: integer(0, 10_000).default(300),
  STORAGE_ADAPTER: z.enum(['auto', 'embedded', 'mongodb']).default('auto'),
  ADMIN_EMAIL: optionalString.pipe(z.email({ error: 'expected an email address' }).optional()),
  ADMIN_PASSWORD: optionalString,
  ADMIN_NAME: optionalString,
  LOGIN_MAX_FAILURES: integer(1, 100).default(5),
  LOGIN_WINDOW_MINUTES: integer(1, 24 * 60).default(15),
  LOGIN_IP_MAX_FAILURES: integer(1, 100_000).default(100),
  PASSWORD_RESET_HOURS: integer(1, 24 * 30).default(48),
  UPLOAD_STORAGE: z.enum(['gridfs', 'disk']).default('gridfs'),
  AVATAR_MAX_BYTES: integer(10_000, 50_000_000).default(2_000_000),
  ATTACHMENT_MAX_BYTES: integer(10_000, 200_000_000).default(10_000_000),
  POST_ATTACHMENTS_MAX_BYTES: integer(10_000, 500_000_000).default(25_000_000),
  POST_MAX_FILES: integer(1, 20).default(5),
  POST_INTERVAL_SECONDS: integer(0, 3600).default(5),
  DUPLICATE_POST_MINUTES: integer(0, 1440).default(5),
  UPLOADS_PER_MINUTE: integer(1, 10_000).default(10),
  OIDC_ISSUER: optionalString.pipe(z.url({ error: 'expected the issuer URL' }).optional()),
  OIDC_CLIENT_ID: optionalString,
  OIDC_CLIENT_SECRET: optionalString,
  OIDC_LABEL: optionalString,
  OIDC_LINK_BY_EMAIL: booleanFromEnv.default(false),
  OIDC_AUTO_PROVISION: booleanFromEnv.default(true),
  OIDC_DEFAULT_ROLE: z.enum(['operator', 'team_lead', 'knowledge_manager', 'admin']).default('operator'),
  OIDC_ALLOW_HTTP: booleanFromEnv.default(false),
  SCORES_TIME_ZONE: z
    .string()
    .trim()
    .refine(
      (value) => {
        try {
          new Intl.DateTimeFormat('en', { timeZone: value });
          return true;
        } catch {
          return false;
        }
      },
      { error: 'expected an IANA time zone such as Europe/Rome' },
    )
    .default('Europe/Rome'),
  REDIS_URL: z
    .string()
    .trim()
    .transform((value) => (value === '' ? undefined : value))
    .pipe(redisUrl.optional())
    .optional(),
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
  /**
   * Limits on slow clients (see http-server.ts): the whole header must arrive within
   * `headersTimeoutMs`, the whole request with its body within `requestTimeoutMs` (else 408
   * and the connection is closed); a kept-alive connection idle for `idleTimeoutMs` is closed.
   */
  readonly http: { headersTimeoutMs: number; requestTimeoutMs: number; idleTimeoutMs: number };
  readonly dbPoolSize: number;
  /**
   * A database that has not answered a ping for this long is taken as unresponsive:
   * readiness turns red and requests are answered 503 at once until it answers again.
   */
  readonly dbUnresponsiveMs: number;
  /** Longest wait for the database's answer to one operation (the driver's socket timeout). */
  readonly dbOperationTimeoutMs: number;
  /**
   * On SIGTERM the server keeps accepting until no new connection or request has
   * arrived for this long (those already sent are served, none is reset), then
   * stops listening and lets the requests in flight finish.
   */
  readonly shutdownQuietMs: number;
  /**
   * Which storage adapter answers the repositories: `embedded` (the app is the only writer of
   * its engine and answers lists from in-process indexes) or `mongodb` (indexed queries, atomic
   * updates, several instances). `auto`: embedded when the app starts FerretDB itself.
   */
  readonly storageAdapter: 'auto' | 'embedded' | 'mongodb';
  /** First administrator, created at start when no account has this email. */
  readonly admin: { email: string; password: string; name: string } | undefined;
  readonly login: { maxFailures: number; windowMinutes: number; ipMaxFailures: number };
  readonly passwordResetHours: number;
  readonly uploadStorage: 'gridfs' | 'disk';
  readonly avatarMaxBytes: number;
  readonly posting: {
    attachmentMaxBytes: number;
    postAttachmentsMaxBytes: number;
    maxFiles: number;
    intervalSeconds: number;
    duplicateWindowMinutes: number;
    uploadsPerMinute: number;
  };
  /** Single sign-on with OpenID Connect; undefined when not configured. */
  readonly oidc:
    | {
        issuer: string;
        clientId: string;
        clientSecret: string | undefined;
        label: string;
        linkByEmail: boolean;
        autoProvision: boolean;
        defaultRole: 'operator' | 'team_lead' | 'knowledge_manager' | 'admin';
        allowHttp: boolean;
        callbackUrl: string;
      }
    | undefined;
  /** Redis shared by the instances for real-time fan-out; undefined = a single instance. */
  readonly redisUrl: string | undefined;
  /** The clock scores are counted on: days for caps, ISO weeks, months, quarters, years. */
  readonly scoresTimeZone: string;
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
  if (e.ADMIN_EMAIL && !e.ADMIN_PASSWORD) problems.push('ADMIN_PASSWORD: required when ADMIN_EMAIL is set');
  if (e.ADMIN_PASSWORD && e.ADMIN_PASSWORD.length < 12)
    problems.push('ADMIN_PASSWORD: expected at least 12 characters');
  if (e.OIDC_ISSUER && !e.OIDC_CLIENT_ID) problems.push('OIDC_CLIENT_ID: required when OIDC_ISSUER is set');
  if (e.HTTP_HEADERS_TIMEOUT_MS > e.HTTP_REQUEST_TIMEOUT_MS)
    problems.push(
      `HTTP_HEADERS_TIMEOUT_MS: must not exceed HTTP_REQUEST_TIMEOUT_MS (${e.HTTP_REQUEST_TIMEOUT_MS})`,
    );
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
    http: {
      headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
      idleTimeoutMs: e.HTTP_IDLE_TIMEOUT_MS,
    },
    dbPoolSize: e.DB_POOL_SIZE,
    dbUnresponsiveMs: e.DB_UNRESPONSIVE_MS,
    dbOperationTimeoutMs: e.DB_OPERATION_TIMEOUT_MS,
    shutdownQuietMs: e.SHUTDOWN_QUIET_MS,
    storageAdapter: e.STORAGE_ADAPTER,
    admin:
      e.ADMIN_EMAIL && e.ADMIN_PASSWORD
        ? {
            email: e.ADMIN_EMAIL.toLowerCase(),
            password: e.ADMIN_PASSWORD,
            name: e.ADMIN_NAME ?? 'Administrator',
          }
        : undefined,
    login: {
      maxFailures: e.LOGIN_MAX_FAILURES,
      windowMinutes: e.LOGIN_WINDOW_MINUTES,
      ipMaxFailures: e.LOGIN_IP_MAX_FAILURES,
    },
    passwordResetHours: e.PASSWORD_RESET_HOURS,
    uploadStorage: e.UPLOAD_STORAGE,
    avatarMaxBytes: e.AVATAR_MAX_BYTES,
    posting: {
      attachmentMaxBytes: e.ATTACHMENT_MAX_BYTES,
      postAttachmentsMaxBytes: e.POST_ATTACHMENTS_MAX_BYTES,
      maxFiles: e.POST_MAX_FILES,
      intervalSeconds: e.POST_INTERVAL_SECONDS,
      duplicateWindowMinutes: e.DUPLICATE_POST_MINUTES,
      uploadsPerMinute: e.UPLOADS_PER_MINUTE,
    },
    oidc:
      e.OIDC_ISSUER && e.OIDC_CLIENT_ID
        ? {
            issuer: e.OIDC_ISSUER,
            clientId: e.OIDC_CLIENT_ID,
            clientSecret: e.OIDC_CLIENT_SECRET,
            label: e.OIDC_LABEL ?? 'SSO',
            linkByEmail: e.OIDC_LINK_BY_EMAIL,
            autoProvision: e.OIDC_AUTO_PROVISION,
            defaultRole: e.OIDC_DEFAULT_ROLE,
            allowHttp: e.OIDC_ALLOW_HTTP,
            callbackUrl: `${publicUrl}/auth/oidc/callback`,
          }
        : undefined,
    redisUrl: e.REDIS_URL,
    scoresTimeZone: e.SCORES_TIME_ZONE,
  };
  return Object.freeze(config);
}
