/** What the HTTP benchmarks share: a page scenario, one autocannon run, the table's columns. */
import autocannon from 'autocannon';

export interface Scenario {
  name: string;
  path: string;
  /** Signed in as a generated operator (most pages are for signed-in people only). */
  signedIn?: boolean;
  headers?: Record<string, string>;
}

export function pad(value: string | number, width: number): string {
  return String(value).padStart(width);
}

export interface PageRun {
  requests: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  non2xx: number;
  errors: number;
}

/** Drives one page with `connections` concurrent clients for `duration` seconds. */
export async function drive(
  url: string,
  options: {
    connections: number;
    duration: number;
    headers?: Record<string, string>;
    timeoutSeconds?: number;
  },
): Promise<PageRun> {
  const result = await autocannon({
    url,
    connections: options.connections,
    duration: options.duration,
    headers: options.headers,
    timeout: options.timeoutSeconds ?? 10,
  });
  return {
    requests: result.requests.total,
    rps: result.requests.average,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}
