import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { freePort, testEnv } from '../../support/environment';
import { until } from '../../support/faults';

const ROOT = path.resolve(__dirname, '..', '..', '..');

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** `npm start` (server/main.ts), or one role of it, as a real process. */
function start(args: string[], env: Record<string, string>): Started {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join('server', 'main.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'test', APP_DOMAIN: 'localhost', LOG_LEVEL: 'info', SPARE_SCHEMAS: '0', DATABASE_URL: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  return { child, output: () => out, exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}

function status(port: number, urlPath: string): Promise<number> {
  return new Promise((resolve) => {
    http
      .get({ host: '127.0.0.1', port, path: urlPath, headers: { Host: 'localhost' }, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
      .on('error', () => resolve(0));
  });
}

function occupy(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer((s) => s.destroy());
    srv.once('error', reject);
    srv.listen(port, '127.0.0.1', () => resolve(srv));
  });
}

describe('Integration - runtime/starting the product', function () {
  this.timeout(180_000);
  const started: Started[] = [];
  const servers: net.Server[] = [];
  let varDir: string;

  before(() => {
    varDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pen-start-'));
    fs.chmodSync(varDir, 0o755); // as root, PostgreSQL runs as "postgres" and must enter it
  });
  after(async () => {
    for (const s of started) {
      if (s.child.exitCode === null && s.child.signalCode === null) {
        s.child.kill('SIGTERM');
        await s.exited;
      }
    }
    for (const s of servers) await new Promise((r) => s.close(r));
    fs.rmSync(varDir, { recursive: true, force: true });
  });

  it('puts the embedded PostgreSQL on a free port when its port is busy, says which, and a second copy on the same folder says why it cannot start', async () => {
    const busy = await freePort();
    servers.push(await occupy(busy));
    const port = await freePort();
    const first = start([], { VAR_DIR: varDir, EMBEDDED_PG_PORT: String(busy), PORT: String(port) });
    started.push(first);
    await until(
      'o produto no ar',
      async () => {
        if (first.child.exitCode !== null) throw new Error(`o produto terminou:\n${first.output()}`);
        return (await status(port, '/readyz')) === 200;
      },
      150_000,
      first.output,
    );
    expect(first.output()).to.match(new RegExp(`porta ${busy} ocupada: PostgreSQL embutido na porta \\d+`));
    expect(await status(port, '/login')).to.equal(200);

    const second = start([], { VAR_DIR: varDir, PORT: String(await freePort()) });
    started.push(second);
    expect(await second.exited, second.output()).to.equal(1);
    expect(second.output()).to.include('Não foi possível iniciar o PEN Nuvem.');
    expect(second.output()).to.match(/Causa: Outra instância do PEN Nuvem já usa o banco embutido em .*\(processo \d+\)/);
    expect(second.output()).to.match(/O que fazer: Encerre-a antes de iniciar outra/);

    first.child.kill('SIGTERM');
    expect(await first.exited, first.output()).to.equal(0);
  });

  it('says which port is taken when the web port is busy, and what to do', async () => {
    const port = await freePort();
    servers.push(await occupy(port));
    const web = start(['--web'], { DATABASE_URL: testEnv().url, PORT: String(port) });
    started.push(web);
    expect(await web.exited, web.output()).to.equal(1);
    expect(web.output()).to.include(`Causa: A porta ${port} do servidor web já está em uso por outro programa.`);
    expect(web.output()).to.include('O que fazer: Encerre o programa que usa essa porta ou defina PORT com outra');
  });

  it('says the database cannot be reached, and what to check, when DATABASE_URL points at nothing', async () => {
    const nothing = await freePort();
    const web = start(['--web'], { DATABASE_URL: `postgres://postgres:x@127.0.0.1:${nothing}/postgres`, PORT: String(await freePort()) });
    started.push(web);
    expect(await web.exited, web.output()).to.equal(1);
    expect(web.output()).to.match(/Causa: Não foi possível conectar ao PostgreSQL: .*ECONNREFUSED/);
    expect(web.output()).to.include('O que fazer: Verifique se o servidor de DATABASE_URL está no ar');
  });

  it('says what is wrong in the configuration', async () => {
    const web = start(['--web'], { DATABASE_URL: testEnv().url, PORT: 'muitas' });
    started.push(web);
    expect(await web.exited).to.equal(1);
    expect(web.output()).to.match(/Causa: Configuração inválida:\s+PORT:/);
    expect(web.output()).to.include('.env.example');
  });
});
