import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

/**
 * A small keep-alive HTTP load generator: `connections` clients, each sending its next request as
 * soon as the previous answer is read, until `durationMs` or `maxRequests` — loopback only.
 */

export interface LoadOptions {
  port: number;
  /** Host header: one host, or one per request (e.g. spread over every tenant). */
  host: string | ((i: number) => string);
  /** The status a request must answer to count as a success (default 200). */
  expectStatus?: number;
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
  /** Set by runLoad (wrk reports median and p99 only). */
  p95Ms?: number;
  p99Ms: number;
}

export function percentile(sorted: number[], p: number): number {
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
        { host: '127.0.0.1', port: opts.port, path: opts.path(i), agent, headers: { Host: typeof opts.host === 'string' ? opts.host : opts.host(i), ...(opts.headers?.(c) ?? {}) } },
        (res) => {
          res.on('data', () => undefined);
          res.on('end', () => {
            if (res.statusCode !== (opts.expectStatus ?? 200)) errors += 1;
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
    p95Ms: percentile(latencies, 95),
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

/** True when wrk (Debian package `wrk`) is installed: a load generator in C, far lighter than Node's. */
export function wrkAvailable(): boolean {
  return spawnSync('wrk', ['--version']).error === undefined;
}

/**
 * The same measurement with wrk (2 threads): `paths` and `cookies` are used in turn, one each per
 * request. Any status other than 2xx/3xx counts as an error.
 */
export async function runWrk(opts: { port: number; host: string; paths: string[]; cookies: string[]; connections: number; durationMs: number }): Promise<LoadResult> {
  return wrkWith('wrk.lua', { WRK_PATHS: `${opts.paths.join('\n')}\n`, WRK_COOKIES: `${(opts.cookies.length ? opts.cookies : ['x=y']).join('\n')}\n` }, { WRK_HOST: opts.host }, opts);
}

/** Like runWrk, spread over many hosts: each request takes the next target (host, path, cookie). */
export async function runWrkSpread(opts: { port: number; targets: { host: string; path: string; cookie?: string }[]; connections: number; durationMs: number }): Promise<LoadResult> {
  const lines = opts.targets.map((t) => `${t.host}\t${t.path}\t${t.cookie ?? ''}`);
  return wrkWith('wrk-spread.lua', { WRK_TARGETS: `${lines.join('\n')}\n` }, {}, opts);
}

/** Runs wrk (2 threads) with one of this folder's scripts; `files` are written to a temporary folder and named to it by env. */
async function wrkWith(script: string, files: Record<string, string>, env: Record<string, string>, opts: { port: number; connections: number; durationMs: number }): Promise<LoadResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pen-wrk-'));
  try {
    const fileEnv: Record<string, string> = {};
    for (const [name, content] of Object.entries(files)) {
      fileEnv[name] = path.join(dir, name);
      fs.writeFileSync(fileEnv[name], content);
    }
    const out = await new Promise<string>((resolve, reject) => {
      const wrk = spawn(
        'wrk',
        ['-t2', `-c${opts.connections}`, `-d${Math.round(opts.durationMs / 1000)}s`, '--timeout', '10s', '-s', path.join(__dirname, script), `http://127.0.0.1:${opts.port}`],
        { env: { ...process.env, ...fileEnv, ...env } },
      );
      let text = '';
      wrk.stdout.on('data', (d: Buffer) => (text += d.toString()));
      wrk.stderr.on('data', (d: Buffer) => (text += d.toString()));
      wrk.on('error', reject);
      wrk.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`wrk terminou com ${code}: ${text}`))));
    });
    const m = /WRK (\d+) (\d+) (\d+) ([\d.]+) ([\d.]+)/.exec(out);
    if (!m) throw new Error(`saída do wrk não reconhecida: ${out}`);
    const [requests, errors, micros] = [Number(m[1]), Number(m[2]), Number(m[3])];
    return { requests, errors, seconds: micros / 1e6, throughput: requests / (micros / 1e6), medianMs: Number(m[4]), p99Ms: Number(m[5]) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
