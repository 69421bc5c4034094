import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import fs from 'node:fs';
import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { childrenOf } from '../../../bench/lib/cpu';
import { processAlive } from '../../../server/db/embedded';
import { freePort, testEnv } from '../../support/environment';
import { createTestTenant } from '../../support/tenants';

/** The web processes the supervisor forked (not any other child it may have, such as a compiler service). */
function copiesOf(primary: number): number[] {
  return childrenOf(primary).filter((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('main.ts');
    } catch {
      return false;
    }
  });
}

interface Answer {
  status: number;
  ms: number;
  error?: string;
}

/** One GET on a new connection: its status, or how it failed (refused, reset, or no answer at all). */
function ask(port: number, host: string, urlPath: string): Promise<Answer> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, headers: { Host: host }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: Date.now() - t0 }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ status: 0, ms: Date.now() - t0, error: err.code ?? err.message }));
    // A connection handed to a dead copy is never answered: a minute tells that apart from a slow
    // answer on a loaded machine.
    req.setTimeout(60_000, () => req.destroy(Object.assign(new Error('sem resposta em 60 s'), { code: 'NO_ANSWER' })));
  });
}

async function get(port: number, host: string, urlPath: string): Promise<number> {
  return (await ask(port, host, urlPath)).status;
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 120_000, log = (): string => ''): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`esperou demais: ${what}\n${log()}`);
}

describe('Integration - runtime/web processes (WEB_CONCURRENCY)', function () {
  // Generous: starting two copies under tsx on a loaded 2-core machine took up to 2 minutes (20 runs
  // with five test suites beside it).
  this.timeout(300_000);
  let server: ChildProcess | undefined;

  afterEach(() => {
    if (server?.pid && processAlive(server.pid)) {
      for (const pid of childrenOf(server.pid)) process.kill(pid, 'SIGKILL');
      server.kill('SIGKILL');
    }
  });

  it('serves from two processes on one port, replaces one that dies, and stops cleanly on SIGTERM', async () => {
    const tenant = await createTestTenant();
    const port = await freePort();
    const [{ n: connections }] = await testEnv().sequelize.query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity', { type: QueryTypes.SELECT });
    let output = `(${connections} conexões abertas no servidor de teste antes do início)\n`;
    server = spawn(process.execPath, ['--import', 'tsx', path.join('server', 'main.ts'), '--web'], {
      cwd: path.resolve(__dirname, '..', '..', '..'),
      env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: testEnv().url, PORT: String(port), WEB_CONCURRENCY: '2', DB_POOL_MAX: '2', APP_DOMAIN: 'localhost', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    server.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => server?.once('exit', (code) => resolve(code)));
    const primary = server.pid as number;

    // Two processes existing is not two processes listening: a copy still starting (seconds, with a cold
    // tsx cache on a loaded machine) accepts nothing, so killing the only one that listens leaves the
    // port without a server. The supervisor logs each copy once it listens.
    const listeningCopies = (): number[] => [...output.matchAll(/"copy":(\d+)[^\n]*processo web atendendo/g)].map((m) => Number(m[1]));
    const serving = (pid: number): boolean => listeningCopies().includes(pid) && copiesOf(primary).includes(pid);
    let lastStatus = -1;
    await until(
      'duas cópias atendendo',
      async () => copiesOf(primary).length === 2 && copiesOf(primary).every(serving) && (lastStatus = await get(port, tenant.host, '/login')) === 200,
      240_000,
      () => `${output}\nfilhos: ${childrenOf(primary).map((pid) => { try { return `${pid} ${fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ')}`; } catch { return String(pid); } }).join(' | ')}\núltimo /login: ${lastStatus}`,
    );
    const [first, second] = copiesOf(primary);

    // A copy killed outright is replaced; meanwhile the other copy answers alone.
    process.kill(first, 'SIGKILL');
    await until('o supervisor notar a cópia morta', () => new RegExp(`"pid":${first}[^\n]*processo web terminou`).test(output) && !copiesOf(primary).includes(first));
    expect(copiesOf(primary)).to.deep.equal([second]);
    // Every request from now on is answered by the living copy, none handed to the dead one.
    const answers = await Promise.all(Array.from({ length: 8 }, () => ask(port, tenant.host, '/login')));
    expect(answers.map((a) => a.status), JSON.stringify(answers)).to.deep.equal(Array(8).fill(200));
    await until('a cópia substituída atendendo', () => {
      const now = copiesOf(primary);
      return now.length === 2 && !now.includes(first) && now.includes(second) && now.every(serving);
    });
    for (let i = 0; i < 10; i += 1) expect(await get(port, tenant.host, '/login')).to.equal(200);
    const copies = copiesOf(primary);

    // SIGTERM: every copy finishes and the supervisor exits 0 (its own shutdown ran to the end).
    server.kill('SIGTERM');
    const code = await exited;
    expect(code, output).to.equal(0);
    expect(copies.filter(processAlive)).to.deep.equal([]);
    expect(output).to.include('processo web terminou; iniciando outro');
  });
});
