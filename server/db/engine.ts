import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import getPort from 'get-port';
import type { Logger } from '../core/logger.ts';
import { useSqliteIdIndexes } from './embedded/id-index.ts';
import { EngineUnavailableError, ensureFerretDb } from './ferretdb-build.ts';

export type EngineKind = 'mongod' | 'ferretdb';

const STATE_FILE = 'engine.json';

export interface EngineOptions {
  /** Folder for the engine's files; created if missing. */
  dataDir: string;
  /** Project-local tools folder where FerretDB is built. */
  toolsDir: string;
  kind: 'auto' | EngineKind;
  logger: Logger;
  /** Fixed port; a free loopback port is chosen when absent. */
  port?: number;
  /** Restart the engine process if it exits without being asked to (default true). */
  restartOnCrash?: boolean;
  /** First wait before such a restart, doubling while restarts fail (default 250 ms). */
  restartDelayMs?: number;
  /**
   * Refuse to share an engine another live process started on this folder
   * (the app server: its in-memory indexes assume it is the engine's only
   * writer). Scripts share it (default false).
   */
  exclusive?: boolean;
}

/** Finds an executable on the PATH, like `which`. */
export function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

function waitForPort(port: number, isDead: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (isDead()) {
        reject(new EngineUnavailableError('The database engine exited while starting.'));
        return;
      }
      const socket = net.connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline)
          reject(new EngineUnavailableError(`The database engine did not listen on port ${port}.`));
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

interface EngineState {
  pid: number;
  port: number;
  ownerPid: number;
}

function readState(file: string): EngineState | undefined {
  try {
    const state = JSON.parse(readFileSync(file, 'utf8')) as Partial<EngineState>;
    if (Number.isInteger(state.pid) && Number.isInteger(state.port) && Number.isInteger(state.ownerPid)) {
      return state as EngineState;
    }
  } catch {
    // missing or unreadable: no engine recorded
  }
  return undefined;
}

function isEngineProcess(pid: number): boolean {
  if (!isAlive(pid)) return false;
  try {
    return /ferretdb|mongod/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return false;
  }
}

/**
 * Another process may already run an engine on this data folder: a running app
 * when `npm run seed` is called, say. Its engine is shared. An engine whose
 * owner was killed outright is an orphan holding the files: stop it.
 */
async function inspectRunningEngine(stateFile: string, logger: Logger): Promise<EngineState | undefined> {
  const state = readState(stateFile);
  if (!state || !isEngineProcess(state.pid)) return undefined;
  if (state.ownerPid !== process.pid && isAlive(state.ownerPid)) return state;
  logger.warn({ pid: state.pid }, 'stopping a database engine left over from an earlier run');
  process.kill(state.pid, 'SIGTERM');
  for (let i = 0; i < 50 && isAlive(state.pid); i++) await sleep(100);
  if (isAlive(state.pid)) process.kill(state.pid, 'SIGKILL');
  return undefined;
}

/**
 * Starts and supervises a local MongoDB-compatible server: `mongod` from the
 * PATH when present, else FerretDB with its SQLite backend. If the process dies
 * unexpectedly it is started again on the same port and files, so the driver
 * reconnects by itself.
 */
export class EmbeddedEngine {
  readonly kind: EngineKind;
  readonly port: number;
  readonly dataDir: string;
  readonly #binary: string;
  readonly #logger: Logger;
  readonly #restartOnCrash: boolean;
  /** True when another process owns the engine process (we only connect to it). */
  readonly shared: boolean;
  #child: ChildProcess | undefined;
  #stopping = false;
  readonly #initialRestartDelayMs: number;
  #restartDelayMs: number;
  #recentOutput: string[] = [];
  #exitWaiters: Array<() => void> = [];

  private constructor(
    kind: EngineKind,
    binary: string,
    port: number,
    dataDir: string,
    logger: Logger,
    restart: boolean,
    shared = false,
    restartDelayMs = 250,
  ) {
    this.shared = shared;
    this.#initialRestartDelayMs = restartDelayMs;
    this.#restartDelayMs = restartDelayMs;
    this.kind = kind;
    this.#binary = binary;
    this.port = port;
    this.dataDir = dataDir;
    this.#logger = logger;
    this.#restartOnCrash = restart;
    // FerretDB's SQLite files get the index its `_id` lookups use (ensureIndexes adds it).
    if (kind === 'ferretdb') useSqliteIdIndexes(port, dataDir);
  }

  static async start(options: EngineOptions): Promise<EmbeddedEngine> {
    const logger = options.logger.child({ component: 'engine' });
    let kind: EngineKind;
    let binary: string;
    const mongod = options.kind === 'ferretdb' ? undefined : findOnPath('mongod');
    if (options.kind === 'mongod' && !mongod) {
      throw new EngineUnavailableError('EMBEDDED_ENGINE=mongod but no `mongod` was found on the PATH.');
    }
    if (mongod) {
      kind = 'mongod';
      binary = mongod;
    } else {
      kind = 'ferretdb';
      binary = await ensureFerretDb(options.toolsDir, (line) => logger.info(line));
    }
    const dataDir = path.join(options.dataDir, kind);
    await fs.mkdir(dataDir, { recursive: true });
    const shared = await inspectRunningEngine(path.join(dataDir, STATE_FILE), logger);
    if (shared && options.exclusive) {
      throw new EngineUnavailableError(
        `Another process (pid ${shared.ownerPid}) already runs the embedded database engine on this data folder (${options.dataDir}).\n` +
          "The embedded engine serves one app instance, which keeps in-memory indexes of what it writes: a second one would not see the first one's writes.\n" +
          'Stop the other process first, give this one another DATA_DIR, or run several instances on one MongoDB (MONGODB_URI) with REDIS_URL.',
      );
    }
    if (shared) {
      logger.info(
        { kind, port: shared.port, pid: shared.pid },
        'using the database engine another process started',
      );
      return new EmbeddedEngine(kind, binary, shared.port, dataDir, logger, false, true);
    }
    const port = options.port ?? (await getPort({ host: '127.0.0.1' }));
    const engine = new EmbeddedEngine(
      kind,
      binary,
      port,
      dataDir,
      logger,
      options.restartOnCrash ?? true,
      false,
      options.restartDelayMs,
    );
    const started = Date.now();
    await engine.#spawn();
    logger.info({ kind, port, dataDir, ms: Date.now() - started }, 'database engine started');
    return engine;
  }

  /** Connection string for a database on this engine. */
  uri(database: string): string {
    return `mongodb://127.0.0.1:${this.port}/${database}`;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  #args(): string[] {
    if (this.kind === 'mongod') {
      return ['--dbpath', this.dataDir, '--port', String(this.port), '--bind_ip', '127.0.0.1', '--quiet'];
    }
    return [
      '--handler=sqlite',
      `--sqlite-url=file:${this.dataDir}/`,
      `--listen-addr=127.0.0.1:${this.port}`,
      '--telemetry=disable',
      '--debug-addr=-',
      `--state-dir=${this.dataDir}`,
      '--log-level=warn',
    ];
  }

  async #spawn(): Promise<void> {
    const child = spawn(this.#binary, this.#args(), { stdio: ['ignore', 'pipe', 'pipe'], cwd: this.dataDir });
    this.#child = child;
    let dead = false;
    const remember = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (!line.trim()) continue;
        this.#recentOutput.push(line);
        if (this.#recentOutput.length > 40) this.#recentOutput.shift();
        this.#logger.debug({ engine: this.kind }, line);
      }
    };
    child.stdout?.on('data', remember);
    child.stderr?.on('data', remember);
    child.once('exit', (code, signal) => {
      dead = true;
      const waiters = this.#exitWaiters;
      this.#exitWaiters = [];
      for (const w of waiters) w();
      if (this.#child === child) this.#child = undefined;
      if (this.#stopping) return;
      this.#logger.warn(
        { code, signal, output: this.#recentOutput.slice(-5) },
        'database engine exited unexpectedly',
      );
      if (this.#restartOnCrash) void this.#restartLater();
    });
    // A process that exits without stopping its engine (a shutdown past its
    // deadline, a second signal, a crash) asks it to stop on the way out: an
    // engine left running would hold the folder and keep writing its journal.
    const onExit = () => {
      if (!dead) child.kill('SIGTERM');
    };
    process.once('exit', onExit);
    child.once('exit', () => process.off('exit', onExit));
    if (child.pid) {
      const state: EngineState = { pid: child.pid, port: this.port, ownerPid: process.pid };
      await fs.writeFile(path.join(this.dataDir, STATE_FILE), JSON.stringify(state));
    }
    try {
      await waitForPort(this.port, () => dead, 60_000);
    } catch (err) {
      const output = this.#recentOutput.join('\n');
      child.kill('SIGKILL');
      throw new EngineUnavailableError(`${(err as Error).message}\n${output}`, { cause: err });
    }
    this.#restartDelayMs = this.#initialRestartDelayMs;
  }

  async #restartLater(): Promise<void> {
    while (!this.#stopping) {
      await sleep(this.#restartDelayMs);
      if (this.#stopping) return;
      try {
        await this.#spawn();
        this.#logger.info({ port: this.port }, 'database engine restarted');
        return;
      } catch (err) {
        this.#restartDelayMs = Math.min(this.#restartDelayMs * 2, 5000);
        this.#logger.error({ err }, 'database engine failed to restart; retrying');
      }
    }
  }

  /** Resolves once the current engine process has exited (tests kill it on purpose). */
  waitForExit(): Promise<void> {
    if (!this.#child) return Promise.resolve();
    return new Promise((resolve) => this.#exitWaiters.push(resolve));
  }

  /** Asks the engine to stop, killing it after `timeoutMs`. */
  async stop(timeoutMs = 5000): Promise<void> {
    this.#stopping = true;
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = this.waitForExit();
    child.kill('SIGTERM');
    const timer = sleep(timeoutMs).then(() => 'timeout' as const);
    if ((await Promise.race([exited.then(() => 'exited' as const), timer])) === 'timeout') {
      this.#logger.warn('database engine did not stop in time; killing it');
      child.kill('SIGKILL');
      await exited;
    }
    await fs.rm(path.join(this.dataDir, STATE_FILE), { force: true });
  }
}
