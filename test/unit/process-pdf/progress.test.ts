import { expect } from 'chai';
import { ProgressWriter } from '../../../server/process-pdf/progress';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A writer whose writes take `writeMs` and are recorded with the time they started. */
function recorder(writeMs = 5) {
  const writes: { done: number; total: number; at: number }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const write = async (p: { done: number; total: number }) => {
    writes.push({ ...p, at: Date.now() });
    maxInFlight = Math.max(maxInFlight, ++inFlight);
    await sleep(writeMs);
    inFlight--;
  };
  return { writes, write, maxInFlight: () => maxInFlight };
}

describe('Unit - process-pdf/progress throttled writes', () => {
  it('reports synchronously and writes at most once per interval, one write at a time', async () => {
    const r = recorder();
    const errors: unknown[] = [];
    const progress = new ProgressWriter(r.write, { intervalMs: 40, heartbeatMs: 60_000 }, (e) => errors.push(e));
    const started = Date.now();
    for (let done = 0; done <= 200; done++) {
      progress.report(done, 200);
      if (done % 10 === 0) await sleep(10);
    }
    const elapsed = Date.now() - started;
    await sleep(60);
    await progress.stop();
    expect(r.writes.length).to.be.at.least(2);
    expect(r.writes.length).to.be.at.most(Math.ceil(elapsed / 40) + 2);
    for (let i = 1; i < r.writes.length; i++) {
      expect(r.writes[i].at - r.writes[i - 1].at).to.be.at.least(35);
      expect(r.writes[i].done).to.be.greaterThan(r.writes[i - 1].done);
    }
    expect(r.maxInFlight()).to.equal(1);
    expect(errors).to.deep.equal([]);
  });

  it('writes the last report once the interval has passed, even when no report follows', async () => {
    const r = recorder();
    const progress = new ProgressWriter(r.write, { intervalMs: 30, heartbeatMs: 60_000 }, () => {});
    progress.report(1, 3);
    progress.report(2, 3);
    progress.report(3, 3);
    expect(r.writes.map((w) => w.done)).to.deep.equal([1]);
    await sleep(80);
    expect(r.writes.map((w) => w.done)).to.deep.equal([1, 3]);
    expect(progress.current).to.deep.equal({ done: 3, total: 3 });
    await progress.stop();
  });

  it('beats while the job makes no progress, and stops writing once stopped', async () => {
    const r = recorder(1);
    const progress = new ProgressWriter(r.write, { intervalMs: 10, heartbeatMs: 20 }, () => {});
    progress.report(0, 5);
    await sleep(110);
    expect(r.writes.length, 'the report, then heartbeats').to.be.at.least(2);
    expect(r.writes.every((w) => w.done === 0)).to.equal(true);
    await progress.stop();
    const count = r.writes.length;
    progress.report(5, 5);
    await sleep(50);
    expect(r.writes).to.have.length(count);
  });

  it('hands a failed write to onError and retries with the latest progress', async () => {
    let fail = true;
    const seen: number[] = [];
    const errors: unknown[] = [];
    const progress = new ProgressWriter(
      async ({ done }) => {
        seen.push(done);
        if (fail) {
          fail = false;
          throw new Error('banco fora do ar');
        }
      },
      { intervalMs: 10, heartbeatMs: 60_000 },
      (e) => errors.push(e),
    );
    progress.report(1, 2);
    await sleep(40);
    expect(errors).to.have.length(1);
    expect(seen).to.deep.equal([1, 1]);
    await progress.stop();
  });
});
