import { SingleBar, Presets } from 'cli-progress';
import { logger } from '../logger';
import type { TenantOutcome } from './migrator';

/** A bar on a terminal; log lines (every 10 %) otherwise. */
export function migrationProgress(): { onProgress: (done: number, total: number, o: TenantOutcome) => void; stop: () => void } {
  if (process.stderr.isTTY) {
    const bar = new SingleBar({ format: 'Migrando entes [{bar}] {value}/{total} · {slug}', hideCursor: true }, Presets.shades_classic);
    let started = false;
    return {
      onProgress: (done, total, o) => {
        if (!started) {
          bar.start(total, 0, { slug: '' });
          started = true;
        }
        bar.update(done, { slug: o.slug });
      },
      stop: () => started && bar.stop(),
    };
  }
  let lastDecile = -1;
  return {
    onProgress: (done, total) => {
      const decile = Math.floor((done / total) * 10);
      if (decile !== lastDecile || done === total) {
        lastDecile = decile;
        logger.info({ done, total }, `migrando entes: ${done}/${total}`);
      }
    },
    stop: () => undefined,
  };
}
