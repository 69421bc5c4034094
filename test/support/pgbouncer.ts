import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../server/db/ports';

export const PGBOUNCER = process.env.PGBOUNCER_PATH ?? '/usr/sbin/pgbouncer';

export interface PgBouncer {
  /** `serverUrl` with host and port replaced by the pooler's. */
  url: string;
  version: string;
  log: () => string;
  stop(): Promise<void>;
}

/** "PgBouncer 1.18.0" → [1, 18]. */
export function pgbouncerVersion(): { text: string; major: number; minor: number } {
  const out = spawnSync(PGBOUNCER, ['--version'], { encoding: 'utf8' });
  if (out.error) throw new Error(`PgBouncer não encontrado em ${PGBOUNCER} (bash .ci/ensure-pgbouncer instala): ${out.error.message}`);
  const m = /PgBouncer (\d+)\.(\d+)/.exec(out.stdout);
  if (!m) throw new Error(`versão do PgBouncer não reconhecida: ${out.stdout}`);
  return { text: m[0], major: Number(m[1]), minor: Number(m[2]) };
}

/**
 * Debian's pgbouncer on a free loopback port in front of the PostgreSQL of `serverUrl`, in
 * transaction pooling mode, every database name passed through (`*`). Root cannot run it: it then
 * runs as the "postgres" user the embedded server already uses.
 */
export async function startPgBouncer(serverUrl: string, settings: Record<string, string> = {}): Promise<PgBouncer> {
  const server = new URL(serverUrl);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pen-pgbouncer-'));
  fs.chmodSync(dir, 0o777);
  const port = await freePort();
  const user = decodeURIComponent(server.username);
  const password = decodeURIComponent(server.password);
  const ini = {
    listen_addr: '127.0.0.1',
    listen_port: String(port),
    unix_socket_dir: '',
    auth_type: 'scram-sha-256',
    auth_file: path.join(dir, 'users.txt'),
    pool_mode: 'transaction',
    max_client_conn: '400',
    default_pool_size: '20',
    logfile: path.join(dir, 'pgbouncer.log'),
    pidfile: path.join(dir, 'pgbouncer.pid'),
    admin_users: user,
    ...(process.getuid?.() === 0 ? { user: 'postgres' } : {}),
    ...settings,
  };
  fs.writeFileSync(ini.auth_file, `"${user}" "${password}"\n`, { mode: 0o644 });
  const config = path.join(dir, 'pgbouncer.ini');
  fs.writeFileSync(
    config,
    `[databases]\n* = host=${server.hostname} port=${server.port}\n\n[pgbouncer]\n${Object.entries(ini).map(([k, v]) => `${k} = ${v}`).join('\n')}\n`,
    { mode: 0o644 },
  );
  fs.writeFileSync(ini.logfile, '');
  fs.chmodSync(ini.logfile, 0o666); // written by the "postgres" user when run by root
  const child: ChildProcess = spawn(PGBOUNCER, [config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const log = (): string => `${out}${fs.existsSync(ini.logfile) ? fs.readFileSync(ini.logfile, 'utf8') : ''}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`pgbouncer terminou ao iniciar:\n${log()}`);
    const open = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (open) break;
    if (Date.now() > deadline) throw new Error(`pgbouncer não abriu a porta ${port}:\n${log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const url = new URL(serverUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  url.search = '';
  return {
    url: url.toString(),
    version: pgbouncerVersion().text,
    log,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGINT');
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
