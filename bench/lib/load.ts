import http from 'node:http';
import { performance } from 'node:perf_hooks';

export interface LoadTarget {
  host: string;
  path: string;
  headers?: Record<string, string>;
}

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  statuses: Record<number, number>;
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * A bounded keep-alive load generator for loopback only: `connections` concurrent clients send
 * requests (round-robin over `targets`) until `maxRequests` or `maxSeconds`, whichever comes first.
 */
export async function runLoad(
  port: number,
  targets: LoadTarget[],
  opts: { connections: number; maxRequests: number; maxSeconds: number },
): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.connections });
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  let errors = 0;
  let next = 0;
  const started = performance.now();
  const deadline = started + opts.maxSeconds * 1000;
  const one = (t: LoadTarget): Promise<number> =>
    new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: t.path, agent, headers: { host: t.host, ...t.headers } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end();
    });
  const client = async (): Promise<void> => {
    while (next < opts.maxRequests && performance.now() < deadline) {
      const t = targets[next++ % targets.length];
      const s = performance.now();
      try {
        const status = await one(t);
        statuses[status] = (statuses[status] ?? 0) + 1;
        latencies.push(performance.now() - s);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: opts.connections }, client));
  agent.destroy();
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    errors,
    seconds,
    rps: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    statuses,
  };
}
