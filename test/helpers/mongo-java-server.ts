/**
 * The second test engine: mongo-java-server 1.47.0 with its in-memory backend
 * (MongoDB semantics: atomic updates, exact unique indexes, `$in`, `$lookup`),
 * started from the few lines of Java in test/helpers/mongo-java-server/.
 *
 * The Maven project is built once into `TOOLS_DIR/mongo-java-server/` (one jar
 * with its dependencies) and built again only when its pom or Java source
 * changes: a hash of them is kept beside the jar.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { projectRoot } from '../../server/config.ts';
import { findOnPath } from '../../server/db/engine.ts';

export const MONGO_JAVA_SERVER_VERSION = '1.47.0';

/** The Maven project (pom.xml + src/). */
export const MONGO_JAVA_SERVER_PROJECT = path.join(projectRoot, 'test', 'helpers', 'mongo-java-server');

const JAR_NAME = 'mongo-java-server.jar';
const HASH_NAME = 'source.sha256';

export class MongoJavaServerUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MongoJavaServerUnavailableError';
  }
}

async function sourceFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await sourceFiles(full)));
    else found.push(full);
  }
  return found;
}

/** Hash of what the jar is built from: the pom and every file under src/. */
export async function mongoJavaServerSourceHash(): Promise<string> {
  const files = [
    path.join(MONGO_JAVA_SERVER_PROJECT, 'pom.xml'),
    ...(await sourceFiles(path.join(MONGO_JAVA_SERVER_PROJECT, 'src'))).sort(),
  ];
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(path.relative(MONGO_JAVA_SERVER_PROJECT, file));
    hash.update('\0');
    hash.update(await fs.readFile(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}

export function mongoJavaServerJarPath(toolsDir: string): string {
  return path.join(toolsDir, 'mongo-java-server', JAR_NAME);
}

/** True when `java` and `mvn` are on the PATH (what building and running the jar need). */
export function canBuildMongoJavaServer(): boolean {
  return findOnPath('java') !== undefined && findOnPath('mvn') !== undefined;
}

function runMaven(args: string[], cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('mvn', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => {
      output += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      output += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/**
 * The jar, built first if it is missing or its sources changed. Maven runs
 * offline first (everything is in the local repository after the first build)
 * and online only when that fails.
 */
export async function ensureMongoJavaServer(toolsDir: string, log: (line: string) => void): Promise<string> {
  const jar = mongoJavaServerJarPath(toolsDir);
  const hashFile = path.join(path.dirname(jar), HASH_NAME);
  const expected = await mongoJavaServerSourceHash();
  if (existsSync(jar) && existsSync(hashFile) && readFileSync(hashFile, 'utf8').trim() === expected)
    return jar;
  if (!canBuildMongoJavaServer()) {
    throw new MongoJavaServerUnavailableError(
      'mongo-java-server needs Java 17+ and Maven on the PATH (Debian: apt-get install openjdk-17-jdk-headless maven).',
    );
  }
  const started = Date.now();
  log(`building mongo-java-server ${MONGO_JAVA_SERVER_VERSION} with Maven into ${path.dirname(jar)}`);
  await fs.mkdir(path.dirname(jar), { recursive: true });
  // A build folder of its own: two runs building at once never share files.
  const buildDir = path.join(path.dirname(jar), `build-${process.pid}`);
  const args = ['-q', '-B', '-Dstyle.color=never', `-Dpassaparola.buildDir=${buildDir}`, 'package'];
  try {
    let result = await runMaven(['-o', ...args], MONGO_JAVA_SERVER_PROJECT);
    if (result.code !== 0) result = await runMaven(args, MONGO_JAVA_SERVER_PROJECT);
    if (result.code !== 0) {
      throw new MongoJavaServerUnavailableError(
        `Building mongo-java-server failed (mvn exited with ${result.code}):\n${result.output.trim()}`,
      );
    }
    const built = path.join(buildDir, JAR_NAME);
    const partial = `${jar}.${process.pid}`;
    await fs.copyFile(built, partial);
    await fs.rename(partial, jar);
    await fs.writeFile(hashFile, `${expected}\n`);
  } finally {
    await fs.rm(buildDir, { recursive: true, force: true });
  }
  log(`mongo-java-server built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return jar;
}

/** A running mongo-java-server: in memory, gone when it stops. */
export interface MongoJavaServer {
  readonly port: number;
  readonly pid: number | undefined;
  uri(database: string): string;
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * Starts the jar on a free loopback port. It stops when its standard input
 * closes, so it ends with this process however that ends.
 */
export function startMongoJavaServer(jar: string, options: { port?: number } = {}): Promise<MongoJavaServer> {
  const child: ChildProcess = spawn(
    'java',
    ['-Xmx2g', '-XX:+UseSerialGC', '-jar', jar, String(options.port ?? 0)],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stderr?.on('data', (c: Buffer) => {
    output = (output + c.toString()).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new MongoJavaServerUnavailableError(`mongo-java-server did not start within 30 s:\n${output}`));
    }, 30_000);
    const onData = (c: Buffer) => {
      stdout += c.toString();
      const line = /^(\d+)\s*\n/.exec(stdout);
      if (!line) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stdout?.resume();
      const port = Number(line[1]);
      resolve({
        port,
        pid: child.pid,
        uri: (database) => `mongodb://127.0.0.1:${port}/${database}`,
        async stop(timeoutMs = 5000) {
          if (child.exitCode !== null || child.signalCode !== null) return;
          child.stdin?.end();
          const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref());
          if ((await Promise.race([exited, timeout])) === 'timeout') {
            child.kill('SIGKILL');
            await exited;
          }
        },
      });
    };
    child.stdout?.on('data', onData);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new MongoJavaServerUnavailableError(`mongo-java-server could not be started: ${err.message}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(
        new MongoJavaServerUnavailableError(
          `mongo-java-server exited with ${code} while starting:\n${output}`,
        ),
      );
    });
  });
}
