import { SingleBar, Presets } from 'cli-progress';
import type { ExportPhase, ProgressFn } from './export';

/** A bar per phase on a terminal (stderr); a line per finished phase otherwise. */
export function exportProgress(verb: string): { onProgress: ProgressFn; stop: () => void } {
  let phase: ExportPhase | null = null;
  if (process.stderr.isTTY) {
    let bar: SingleBar | null = null;
    return {
      onProgress: (p, done, total) => {
        if (p !== phase) {
          bar?.stop();
          phase = p;
          bar = new SingleBar({ format: `${verb} ${p} [{bar}] {value}/{total}`, hideCursor: true }, Presets.shades_classic);
          bar.start(total, done);
        }
        bar?.update(done);
      },
      stop: () => bar?.stop(),
    };
  }
  return {
    onProgress: (p, done, total) => {
      if (done === total) process.stderr.write(`${verb} ${p}: ${done}/${total}\n`);
    },
    stop: () => undefined,
  };
}
