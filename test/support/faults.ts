import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';

const ROOT = path.resolve(__dirname, '..', '..');
const CHILD = path.join(ROOT, 'test', 'integration', 'faults', 'child.ts');

export interface ChildRun {
  child: ChildProcess;
  output: () => string;
  /** Resolves when the process ends: its exit code (null when killed), signal and parsed RESULT line. */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; result: unknown }>;
}

/** Starts test/integration/faults/child.ts with one operation, as a real process of its own. */
export function runChild(operation: string, args: object, env: Record<string, string>): ChildRun {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, operation, JSON.stringify(args)], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; result: unknown }>((resolve) => {
    child.once('exit', (code, signal) => {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      resolve({ code, signal, result: line ? JSON.parse(line.slice('RESULT '.length)) : undefined });
    });
  });
  return { child, output: () => out, done };
}

/** Runs an operation to the end and returns its result; fails with its output when it fails. */
export async function completeChild<T>(operation: string, args: object, env: Record<string, string>): Promise<T> {
  const run = runChild(operation, args, env);
  const { code, result } = await run.done;
  if (code !== 0) throw new Error(`${operation} terminou com código ${code}:\n${run.output()}`);
  return result as T;
}

export async function until(what: string, check: () => boolean | Promise<boolean>, ms = 30_000, log = (): string => ''): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`esperou demais: ${what}\n${log()}`);
}

/**
 * A connection of the test that holds a lock in an open transaction, so that another process's work
 * stops at the statement that needs it — the moment the test wants to kill that process.
 */
export class LockHolder {
  private readonly client: Client;
  /** Watches pg_stat_activity from outside the transaction (inside one it is a snapshot). */
  private readonly monitor: Client;
  private pid = 0;

  constructor(url: string) {
    this.client = new Client({ connectionString: url });
    this.monitor = new Client({ connectionString: url });
    this.client.on('error', () => undefined);
    this.monitor.on('error', () => undefined);
  }

  async hold(sql: string, values: unknown[] = []): Promise<void> {
    await this.client.connect();
    await this.monitor.connect();
    this.pid = (await this.client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    await this.client.query('BEGIN');
    await this.client.query(sql, values);
  }

  /** The backend waiting on this lock (the other process's transaction, stopped mid-way). */
  async blocked(run: ChildRun, ms = 60_000): Promise<number> {
    let pid = 0;
    await until(
      'um processo bloqueado na trava do teste',
      async () => {
        if (run.child.exitCode !== null) throw new Error(`o processo terminou antes de chegar à trava:\n${run.output()}`);
        const { rows } = await this.monitor.query<{ pid: number }>(
          'SELECT pid FROM pg_stat_activity WHERE $1 = ANY (pg_blocking_pids(pid))',
          [this.pid],
        );
        pid = rows[0]?.pid ?? 0;
        return pid > 0;
      },
      ms,
      run.output,
    );
    return pid;
  }

  /**
   * Ends `backend`, the session of the killed process, and waits until it is gone; then ends the
   * test's transaction and its lock. A server only notices a vanished client when it next reads or
   * writes its socket: left alone, a statement that was waiting on the lock would run (and an
   * autocommit one commit) once the lock is free. Ending the session first makes the kill land
   * where the test stopped the process — before its statement reached the server.
   */
  async release(backend?: number): Promise<void> {
    if (backend) {
      await this.monitor.query('SELECT pg_terminate_backend($1)', [backend]);
      await until('o servidor encerrar a sessão do processo morto', async () => {
        const { rows } = await this.monitor.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [backend]);
        return rows.length === 0;
      });
    }
    await this.client.query('ROLLBACK');
    await this.client.end();
    await this.monitor.end();
  }
}

/** SIGKILL and wait until the process is gone. */
export async function killHard(run: ChildRun): Promise<void> {
  run.child.kill('SIGKILL');
  const { signal } = await run.done;
  if (signal !== 'SIGKILL') throw new Error(`o processo não morreu por SIGKILL (${signal}):\n${run.output()}`);
}
