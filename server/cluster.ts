import cluster, { type Worker } from 'node:cluster';
import { logger } from './logger';

/**
 * The web role in several processes, one per core: Node serves a page on one core, so a single
 * process leaves the other cores to PostgreSQL alone. The processes share the listening port
 * (node:cluster), and nothing of a request lives in a process (sessions, login throttle, PDF jobs and
 * tenants are in the database; the tenant cache is refreshed by LISTEN in each), so any of them can
 * serve any request.
 *
 * The primary only supervises: a copy that dies is started again after RESTART_DELAY_MS (so one that
 * fails at start does not spin), and `stop()` asks every copy to finish its requests and waits.
 */
export const RESTART_DELAY_MS = 1_000;

export interface WebProcesses {
  /** Resolves when every copy listens. */
  ready: Promise<void>;
  stop(): Promise<void>;
}

export function forkWebProcesses(count: number, env: Record<string, string>): WebProcesses {
  let stopping = false;
  // A signal reaches the copies too (Ctrl-C in a terminal signals the whole group): from that moment
  // a copy that ends is not replaced, even before stop() is called.
  const halt = (): void => {
    stopping = true;
  };
  process.once('SIGINT', halt);
  process.once('SIGTERM', halt);
  const fork = (): Worker => cluster.fork(env);
  const listening = new Set<number>();
  let resolveReady: () => void;
  const ready = new Promise<void>((resolve) => (resolveReady = resolve));

  cluster.on('listening', (worker) => {
    logger.info({ copy: worker.process.pid }, 'processo web atendendo');
    listening.add(worker.id);
    if (listening.size >= count) resolveReady();
  });
  cluster.on('exit', (worker, code, signal) => {
    listening.delete(worker.id);
    if (stopping) return;
    logger.error({ pid: worker.process.pid, code, signal }, 'processo web terminou; iniciando outro');
    setTimeout(() => {
      if (!stopping) fork();
    }, RESTART_DELAY_MS).unref();
  });
  for (let i = 0; i < count; i += 1) fork();

  return {
    ready,
    stop: async () => {
      stopping = true;
      const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && !w.isDead() && w.process.exitCode === null);
      await Promise.all(
        workers.map(
          (w) =>
            new Promise<void>((resolve) => {
              w.once('exit', () => resolve());
              w.process.kill('SIGTERM');
            }),
        ),
      );
    },
  };
}

/** True in a copy forked by `forkWebProcesses`. */
export function isWebCopy(): boolean {
  return cluster.isWorker;
}
