import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { expect } from 'chai';
import { freePort, testEnv } from '../../support/environment';
import { createTestTenant } from '../../support/tenants';

/** Pids whose parent is `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) found.push(Number(entry));
    } catch {
      // ended while we read
    }
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function get(port: number, host: string, urlPath: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, headers: { Host: host }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
  });
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`esperou demais: ${what}`);
}

describe('Integration - runtime/web processes (WEB_CONCURRENCY)', function () {
  this.timeout(90_000);
  let server: ChildProcess | undefined;

  afterEach(() => {
    if (server?.pid && alive(server.pid)) {
      for (const pid of childrenOf(server.pid)) process.kill(pid, 'SIGKILL');
      server.kill('SIGKILL');
    }
  });

  it('serves from two processes on one port, replaces one that dies, and stops cleanly on SIGTERM', async () => {
    const tenant = await createTestTenant();
    const port = await freePort();
    let output = '';
    server = spawn(process.execPath, ['--import', 'tsx', path.join('server', 'main.ts'), '--web'], {
      cwd: path.resolve(__dirname, '..', '..', '..'),
      env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: testEnv().url, PORT: String(port), WEB_CONCURRENCY: '2', APP_DOMAIN: 'localhost', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    server.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => server?.once('exit', (code) => resolve(code)));
    const primary = server.pid as number;

    await until('duas cópias no ar', async () => childrenOf(primary).length === 2 && (await get(port, tenant.host, '/login')) === 200);
    const [first, second] = childrenOf(primary);

    // A copy killed outright is replaced; the port keeps answering meanwhile (the other copy).
    process.kill(first, 'SIGKILL');
    expect(await get(port, tenant.host, '/login')).to.equal(200);
    await until('a cópia substituída', () => {
      const now = childrenOf(primary);
      return now.length === 2 && !now.includes(first) && now.includes(second);
    });
    for (let i = 0; i < 10; i += 1) expect(await get(port, tenant.host, '/login')).to.equal(200);
    const copies = childrenOf(primary);

    // SIGTERM: every copy finishes and the supervisor exits 0 (its own shutdown ran to the end).
    server.kill('SIGTERM');
    const code = await exited;
    expect(code, output).to.equal(0);
    expect(copies.filter(alive)).to.deep.equal([]);
    expect(output).to.include('processo web terminou; iniciando outro');
  });
});
