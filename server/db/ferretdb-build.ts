import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const FERRETDB_VERSION = 'v1.24.2';
export const FERRETDB_MODULE = 'github.com/FerretDB/FerretDB';

export class EngineUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EngineUnavailableError';
  }
}

const NO_GO_MESSAGE = [
  'No database engine is available, and FerretDB cannot be built because Go is not installed.',
  'Choose one of:',
  '  - set MONGODB_URI to a MongoDB-compatible server (MongoDB 6+ or FerretDB), e.g. MONGODB_URI=mongodb://127.0.0.1:27017/passaparola',
  '  - install MongoDB so that `mongod` is on the PATH (the app then starts it itself), or',
  '  - install Go 1.24 or newer (https://go.dev/dl/) so the app can build FerretDB once, then start again.',
].join('\n');

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; onLine?: (line: string) => void } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      stderr += text;
      if (options.onLine) {
        pending += text;
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) if (line.trim()) options.onLine(line);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (options.onLine && pending.trim()) options.onLine(pending);
      resolve({ code, stdout, stderr });
    });
  });
}

export function ferretDbBinaryPath(toolsDir: string): string {
  return path.join(toolsDir, 'bin', 'ferretdb');
}

/** True when the binary exists and reports the pinned version. */
export async function isUsableFerretDb(binary: string): Promise<boolean> {
  if (!existsSync(binary)) return false;
  try {
    const result = await run(binary, ['--version']);
    return result.code === 0 && result.stdout.includes(`version: ${FERRETDB_VERSION}`);
  } catch {
    return false;
  }
}

async function hasGo(): Promise<boolean> {
  try {
    const result = await run('go', ['version']);
    return result.code === 0;
  } catch {
    return false;
  }
}

async function acquireLock(lockDir: string, binary: string): Promise<() => Promise<void>> {
  const deadline = Date.now() + 20 * 60_000;
  for (;;) {
    try {
      await fs.mkdir(lockDir);
      return async () => {
        await fs.rm(lockDir, { recursive: true, force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const stat = await fs.stat(lockDir).catch(() => undefined);
      // A lock older than 20 minutes belongs to a build that died.
      if (stat && Date.now() - stat.mtimeMs > 20 * 60_000) {
        await fs.rm(lockDir, { recursive: true, force: true });
        continue;
      }
      if (await isUsableFerretDb(binary)) return async () => {};
      if (Date.now() > deadline)
        throw new EngineUnavailableError(`Timed out waiting for another FerretDB build (${lockDir}).`);
      await sleep(1000);
    }
  }
}

/**
 * Makes sure `<toolsDir>/bin/ferretdb` (FerretDB 1.24.2) exists, building it
 * with the machine's Go on first use. Progress goes to `log`.
 *
 * The build first runs the documented `go install …@v1.24.2`. Some module
 * proxies refuse the version list that `go install` reads to check for
 * deprecations; then the same pinned module is downloaded by exact version
 * and built from its source with the version file FerretDB expects.
 */
export async function ensureFerretDb(toolsDir: string, log: (line: string) => void): Promise<string> {
  const binary = ferretDbBinaryPath(toolsDir);
  if (await isUsableFerretDb(binary)) return binary;
  if (!(await hasGo())) throw new EngineUnavailableError(NO_GO_MESSAGE);

  await fs.mkdir(path.join(toolsDir, 'bin'), { recursive: true });
  const release = await acquireLock(path.join(toolsDir, 'ferretdb.build.lock'), binary);
  try {
    if (await isUsableFerretDb(binary)) return binary;
    const started = Date.now();
    log(
      `Building FerretDB ${FERRETDB_VERSION} with Go into ${binary} (first start only; this takes a minute or two)…`,
    );
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      GOTOOLCHAIN: 'local',
      GOBIN: path.join(toolsDir, 'bin'),
    };

    const install = await run('go', ['install', `${FERRETDB_MODULE}/cmd/ferretdb@${FERRETDB_VERSION}`], {
      env,
      onLine: (line) => log(`  ${line}`),
    });
    if (install.code === 0 && (await isUsableFerretDb(binary))) {
      log(`FerretDB built in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
      return binary;
    }
    log('`go install` did not produce a usable binary; building from the downloaded module source instead.');

    const download = await run('go', ['mod', 'download', '-json', `${FERRETDB_MODULE}@${FERRETDB_VERSION}`], {
      env,
    });
    if (download.code !== 0) {
      throw new EngineUnavailableError(
        `Could not download ${FERRETDB_MODULE}@${FERRETDB_VERSION}:\n${download.stdout}${download.stderr}\n\n${NO_GO_MESSAGE.split('\n').slice(1).join('\n')}`,
      );
    }
    const moduleDir = (JSON.parse(download.stdout) as { Dir?: string }).Dir;
    if (!moduleDir)
      throw new EngineUnavailableError('`go mod download` did not report the module directory.');

    const sourceDir = path.join(toolsDir, 'src', `FerretDB@${FERRETDB_VERSION}`);
    await fs.rm(sourceDir, { recursive: true, force: true });
    await fs.cp(moduleDir, sourceDir, { recursive: true });
    await run('chmod', ['-R', 'u+w', sourceDir]);
    const versionFile = path.join(sourceDir, 'build', 'version', 'version.txt');
    if (!existsSync(versionFile)) await fs.writeFile(versionFile, `${FERRETDB_VERSION}\n`);

    const tmpBinary = `${binary}.tmp-${process.pid}`;
    const build = await run('go', ['build', '-trimpath', '-o', tmpBinary, './cmd/ferretdb'], {
      cwd: sourceDir,
      env: { ...env, GOFLAGS: `${process.env.GOFLAGS ?? ''} -buildvcs=false`.trim() },
      onLine: (line) => log(`  ${line}`),
    });
    if (build.code !== 0) {
      throw new EngineUnavailableError(
        `Building FerretDB failed (exit ${build.code}):\n${build.stderr.slice(-4000)}`,
      );
    }
    await fs.rename(tmpBinary, binary);
    if (!(await isUsableFerretDb(binary))) {
      throw new EngineUnavailableError(
        `The FerretDB binary built at ${binary} does not report ${FERRETDB_VERSION}.`,
      );
    }
    log(`FerretDB built in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    return binary;
  } finally {
    await release();
  }
}
