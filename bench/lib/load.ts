import http from 'node:http';
import { performance } from 'node:perf_hooks';

/**
 * A small keep-alive HTTP load generator: `connections` clients, each sending its next request as
 * soon as the previous answer is read, until `durationMs` or `maxRequests` — loopback only.
 */

export interface LoadOptions {
  port: number;
  host: string;
  /** Path of each request; called per request so it can vary (e.g. a random process). */
  path: (i: number) => string;
  /** Headers for connection `c` (e.g. its own session cookie). */
  headers?: (c: number) => Record<string, string>;
  connections: number;
  durationMs: number;
  maxRequests: number;
}

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  throughput: number;
  medianMs: number;
  p99Ms: number;
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.connections });
  const latencies: number[] = [];
  let issued = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + opts.durationMs;

  const one = (c: number): Promise<void> =>
    new Promise((resolve) => {
      const i = issued++;
      const t0 = performance.now();
      const req = http.request(
        { host: '127.0.0.1', port: opts.port, path: opts.path(i), agent, headers: { Host: opts.host, ...(opts.headers?.(c) ?? {}) } },
        (res) => {
          res.on('data', () => undefined);
          res.on('end', () => {
            if (res.statusCode !== 200) errors += 1;
            latencies.push(performance.now() - t0);
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors += 1;
        resolve();
      });
      req.end();
    });

  const client = async (c: number): Promise<void> => {
    while (performance.now() < deadline && issued < opts.maxRequests) await one(c);
  };
  await Promise.all(Array.from({ length: opts.connections }, (_, c) => client(c)));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    errors,
    seconds,
    throughput: latencies.length / seconds,
    medianMs: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}

/** One request outside the load (login, CSRF): returns status, headers and body. */
export function request(port: number, host: string, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, headers: { Host: host, ...headers } }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (data += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data }));
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}
