/**
 * The app as its own process (`node server/index.ts`), as `npm start` runs it:
 * started on a data folder, signed in through the real form, stopped by a signal.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { expect } from 'chai';
import { projectRoot } from '../../server/config.ts';
import { DEMO_PASSWORD } from '../../server/seed/demo-data.ts';
import { toolsDir } from './engine.ts';

export interface Started {
  child: ChildProcess;
  url: string;
  lines: string[];
}

const nodeBinary = process.execPath;

export function startApp(env: Record<string, string>): Promise<Started> {
  return new Promise((resolve, reject) => {
    const child = spawn(nodeBinary, ['server/index.ts'], {
      cwd: projectRoot,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TOOLS_DIR: toolsDir, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`no start within 60 s:\n${lines.join('\n')}`)), 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const parts = buffer.split('\n');
      buffer = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        try {
          const entry = JSON.parse(line) as { msg?: string; url?: string };
          if (entry.msg === 'Passaparola is listening' && entry.url) {
            clearTimeout(timer);
            resolve({ child, url: entry.url, lines });
          }
        } catch {
          // not a log line
        }
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before listening:\n${lines.join('\n')}`));
    });
  });
}

export function stopApp(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<{ code: number | null; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', (code) => resolve({ code, ms: Date.now() - started }));
    child.kill(signal);
  });
}

/** Signs in through the real form with fetch; resolves with the Cookie header a browser would send. */
export async function signInCookies(base: string, email: string, password: string): Promise<string> {
  const jar = new Map<string, string>();
  const remember = (res: Response) => {
    for (const cookie of res.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const [name, ...value] = (pair ?? '').split('=');
      if (name) jar.set(name, value.join('='));
    }
  };
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const loginPage = await fetch(`${base}/login`);
  remember(loginPage);
  const token = /name="_csrf" value="([^"]+)"/.exec(await loginPage.text())?.[1] ?? '';
  const login = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookieHeader() },
    body: new URLSearchParams({ _csrf: token, email, password }).toString(),
  });
  remember(login);
  expect(login.status).to.equal(303);
  return cookieHeader();
}

/** Signs in through the real form; resolves with a GET that sends the session's cookies. */
export async function signedInFetch(base: string, email: string, password: string) {
  const cookie = await signInCookies(base, email, password);
  return (path: string) => fetch(`${base}${path}`, { headers: { Cookie: cookie, 'Accept-Language': 'en' } });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The cookies of a signed-in session with the CSRF token of a page it loaded. */
export async function sessionWithToken(app: Started) {
  const session = await signInCookies(app.url, 'alessandra.ferri@aurora.example', DEMO_PASSWORD);
  const page = await fetch(`${app.url}/`, { headers: { Cookie: session } });
  const jar = new Map(session.split('; ').map((c) => [c.split('=')[0], c] as const));
  for (const set of page.headers.getSetCookie()) {
    const pair = set.split(';')[0]!;
    jar.set(pair.split('=')[0], pair);
  }
  const home = await page.text();
  const token = /name="_csrf" value="([^"]+)"/.exec(home)?.[1];
  const postId = /href="\/posts\/([a-f0-9]{24})"/.exec(home)?.[1];
  if (!token || !postId) throw new Error(`no CSRF token or no post on the home page (${page.status})`);
  return { cookie: [...jar.values()].join('; '), token, postId };
}
