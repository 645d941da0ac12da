/** Progress lines of a long seed: what is done, how fast, how long the step still takes. */
import { readFileSync } from 'node:fs';

/** CPU time (user + system, ms) a process has used so far, from /proc (Linux); null elsewhere. */
export function cpuMs(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

export type Out = (line: string) => void;

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export class Progress {
  readonly #out: Out;
  readonly #started = Date.now();
  readonly #everyMs: number;
  readonly #enginePid: number | undefined;
  #cpuAt = { at: Date.now(), self: cpuMs(process.pid) ?? 0, engine: 0 };

  constructor(out: Out, options: { everyMs?: number; enginePid?: number } = {}) {
    this.#out = out;
    this.#everyMs = options.everyMs ?? 5000;
    this.#enginePid = options.enginePid;
    if (this.#enginePid) this.#cpuAt.engine = cpuMs(this.#enginePid) ?? 0;
  }

  /** How busy this process and the engine were since the last call (% of one core). */
  #load(): string {
    const now = {
      at: Date.now(),
      self: cpuMs(process.pid) ?? 0,
      engine: this.#enginePid ? (cpuMs(this.#enginePid) ?? 0) : 0,
    };
    const span = Math.max(1, now.at - this.#cpuAt.at);
    const pct = (a: number, b: number) => `${Math.round(((a - b) / span) * 100)}%`;
    const text = `cpu seed ${pct(now.self, this.#cpuAt.self)}${this.#enginePid ? ` engine ${pct(now.engine, this.#cpuAt.engine)}` : ''}`;
    this.#cpuAt = now;
    return text;
  }

  get elapsedMs(): number {
    return Date.now() - this.#started;
  }

  line(text: string): void {
    this.#out(`[${formatDuration(this.elapsedMs).padStart(7)}] ${text}`);
  }

  /** A step with a known amount of work; `tick(done)` prints at most every few seconds. */
  step(name: string, total: number, unit: string) {
    const started = Date.now();
    let last = started;
    const report = (done: number, extra = '') => {
      const ms = Date.now() - started;
      const rate = done / Math.max(0.001, ms / 1000);
      const eta = rate > 0 ? ((total - done) / rate) * 1000 : Number.NaN;
      const pct = total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : 100;
      this.line(
        `${name.padEnd(12)} ${fmt(done).padStart(11)}/${fmt(total)} ${unit} (${String(pct).padStart(3)}%) ` +
          `${fmt(rate).padStart(7)}/s  ETA ${formatDuration(eta)}  ${this.#load()}${extra ? `  ${extra}` : ''}`,
      );
    };
    return {
      tick: (done: number, extra?: () => string) => {
        if (Date.now() - last < this.#everyMs) return;
        last = Date.now();
        report(done, extra?.());
      },
      done: (done: number, extra = '') => {
        const ms = Date.now() - started;
        this.line(
          `${name.padEnd(12)} ${fmt(done).padStart(11)} ${unit} in ${formatDuration(ms)} ` +
            `(${fmt(done / Math.max(0.001, ms / 1000))}/s)  ${this.#load()}${extra ? `  ${extra}` : ''}`,
        );
        return ms;
      },
    };
  }
}
