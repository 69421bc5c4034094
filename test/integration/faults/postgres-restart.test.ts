import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import * as cheerio from 'cheerio';
import request from 'supertest';
import { startEmbedded, type EmbeddedServer } from '../../../server/db/embedded';
import { freePort } from '../../support/environment';
import { until } from '../../support/faults';
import { csrfFrom } from '../../support/http';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const HOST = 'angra-dos-reis.localhost';
const CLIENTS = 32;

interface Sample {
  at: number;
  /** When the answer ended. */
  end: number;
  status: number;
  body: string;
}

function get(port: number, urlPath: string, cookie?: string): Promise<Sample> {
  const at = Date.now();
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, headers: { Host: HOST, ...(cookie ? { Cookie: cookie } : {}) }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ at, end: Date.now(), status: res.statusCode ?? 0, body }));
    });
    req.on('error', () => resolve({ at, end: Date.now(), status: 0, body: '' }));
    req.setTimeout(15_000, () => req.destroy());
  });
}

/**
 * Its own embedded PostgreSQL (stopping the suite's would stop every other test), the product on it
 * as `npm start` runs it, 32 clients loading the logged-in inbox, and PostgreSQL stopped and started
 * again on the same folder and port under them.
 */
describe('Integration - faults/PostgreSQL restarted under load', function () {
  this.timeout(240_000);
  let dir: string;
  let pg: EmbeddedServer | undefined;
  let app: ChildProcess | undefined;
  let output = '';

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pen-restart-'));
    fs.chmodSync(dir, 0o755);
  });
  after(async () => {
    if (app && app.exitCode === null) {
      const exited = new Promise((r) => app!.once('exit', r));
      app.kill('SIGTERM');
      await exited;
    }
    await pg?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 pages in Portuguese while it is down (no 500, no crash), says so on /readyz, and recovers by itself within seconds', async () => {
    const pgPort = await freePort();
    pg = await startEmbedded({ dir: path.join(dir, 'pg'), port: pgPort, unsafeFast: true });
    const port = await freePort();
    app = spawn(process.execPath, ['--import', 'tsx', path.join('server', 'main.ts')], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: pg.url, PORT: String(port), APP_DOMAIN: 'localhost', SPARE_SCHEMAS: '0', LOG_LEVEL: 'warn', VAR_DIR: dir, DB_POOL_MAX: '10' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    app.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    app.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    await until('o produto no ar', async () => (await get(port, '/readyz')).status === 200, 150_000, () => output);

    const agent = request.agent(`http://127.0.0.1:${port}`).host(HOST);
    const page = await agent.get('/login').expect(200);
    const loggedIn = await agent
      .post('/login')
      .type('form')
      .send({ email: 'admin@angra-dos-reis.demo.pen.gov.br', password: 'Demo@2026', _csrf: csrfFrom(page.text) });
    expect(loggedIn.status, loggedIn.text).to.equal(302);
    const cookie = String(loggedIn.headers['set-cookie']).split(';')[0];
    expect((await get(port, '/', cookie)).body).to.include('Controle de processos');

    // The load: 32 clients, each loading the inbox again as soon as the last one answered.
    const pages: Sample[] = [];
    let loading = true;
    const clients = Array.from({ length: CLIENTS }, async () => {
      while (loading) pages.push(await get(port, '/', cookie));
    });
    // /readyz every 100 ms, each answer beside what the database was doing when it was asked.
    type DbState = 'up' | 'stopping' | 'down' | 'starting';
    let db: DbState = 'up';
    const ready: (Sample & { db: DbState })[] = [];
    const probe = (async () => {
      while (loading) {
        const before: DbState = db;
        const s = await get(port, '/readyz');
        if (db === before) ready.push({ ...s, db });
        await new Promise((r) => setTimeout(r, 100));
      }
    })();

    await new Promise((r) => setTimeout(r, 2_000));
    db = 'stopping';
    const stopAt = Date.now();
    await pg.stop();
    const downAt = Date.now();
    db = 'down';
    await new Promise((r) => setTimeout(r, 5_000));
    db = 'starting';
    const startAt = Date.now();
    pg = await startEmbedded({ dir: path.join(dir, 'pg'), port: pgPort, unsafeFast: true });
    const upAt = Date.now();
    db = 'up';
    let recoveredAt = 0;
    await until('a primeira página depois da volta', () => {
      const ok = pages.find((p) => p.at >= upAt && p.status === 200);
      if (ok) recoveredAt = ok.at;
      return Boolean(ok);
    }, 20_000);
    await new Promise((r) => setTimeout(r, 3_000));
    loading = false;
    await Promise.all([...clients, probe]);

    expect(app.exitCode, output).to.equal(null);
    const statuses = [...new Set(pages.map((p) => p.status))].sort();
    expect(statuses, output.slice(-3000)).to.deep.equal([200, 503]);
    const down = pages.filter((p) => p.at > downAt + 200 && p.at < startAt);
    const refused = down.filter((p) => p.status === 503);
    expect(refused.length).to.be.greaterThan(5);
    // Any other page asked while it was down waited for a connection and was served once it was back.
    expect(down.filter((p) => p.status !== 503 && !(p.status === 200 && p.end >= startAt)).map((p) => p.status)).to.deep.equal([]);
    const $ = cheerio.load(refused[0].body);
    expect($('html').attr('lang')).to.equal('pt-BR');
    expect($('h1').text()).to.equal('Serviço temporariamente indisponível');
    expect($('[role=alert]').text()).to.include('Tente de novo em alguns instantes');
    expect(refused[0].body).to.not.include('at ');
    // Recovered by itself: a page within seconds of the database's return, and every page after.
    expect(recoveredAt - upAt, 'ms até a primeira página após a volta').to.be.below(5_000);
    const after = pages.filter((p) => p.at > recoveredAt + 1_000);
    expect(after.length).to.be.greaterThan(CLIENTS);
    expect(after.filter((p) => p.status !== 200).map((p) => p.status)).to.deep.equal([]);
    // Still logged in with the same cookie: the outage never read as "no such session".
    expect(after.filter((p) => !p.body.includes('Controle de processos')).length).to.equal(0);
    // /readyz told the truth: 200 while the database answered, 503 while it was down.
    const whileDown = ready.filter((r) => r.db === 'down' && r.at > downAt + 200);
    // Fail fast: once the process knows the database is down, /readyz and pages answer at once
    // instead of queueing for a pool connection (before, /readyz answered twice in the 5 s, and pages
    // waited up to 4.6 s). What is left of their time is this process serving 32 clients at once.
    expect(whileDown.length, '/readyz com o banco parado').to.be.greaterThan(4);
    const knownDown = refused.filter((p) => p.at > downAt + 1_000).map((p) => p.end - p.at).sort((a, b) => a - b);
    expect(knownDown.length).to.be.greaterThan(CLIENTS);
    const p95 = knownDown[Math.floor(knownDown.length * 0.95)];
    expect(p95, 'ms (p95) de uma recusa com o banco parado').to.be.below(1_500);
    expect(whileDown.map((r) => r.status)).to.deep.equal(whileDown.map(() => 503));
    const whileUp = ready.filter((r) => r.db === 'up' && (r.at < stopAt || r.at > recoveredAt + 500));
    expect(whileUp.length).to.be.greaterThan(3);
    expect(whileUp.map((r) => r.status)).to.deep.equal(whileUp.map(() => 200));
    const warm = pages.filter((p) => p.end < stopAt).length;
    const slowest = Math.max(...down.map((p) => p.end - p.at));
    process.stdout.write(`      (${pages.length} páginas; ${warm} antes da parada (≈ 2 s); a mais lenta pedida com o banco parado levou ${slowest} ms; recusa p95 ${p95} ms; /readyz respondeu ${whileDown.length} vezes com o banco parado; ${down.length} pedidas com o banco parado: ${refused.length} 503, ${down.length - refused.length} esperaram e foram servidas na volta; primeira página ${recoveredAt - upAt} ms após a volta)\n`);
  });
});
