import crypto from 'node:crypto';
import os from 'node:os';
import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { enqueueMail } from '../../../server/mail/outbox';
import { createTransport } from '../../../server/mail/transport';
import { defaultBackoff, OutboxWorker } from '../../../server/mail/worker';
import { testEnv } from '../../support/environment';
import { until } from '../../support/faults';
import { SmtpPeer } from '../../support/smtp';

/** One second of the test stands for one minute of the worker's schedule. */
const SCALE = 60;
const MINUTES_DOWN = 10;

interface Row {
  to_address: string;
  status: string;
  attempts: number;
  last_error: string | null;
  wait_s: number;
}

describe('Integration - faults/SMTP down for ten (compressed) minutes', function () {
  this.timeout(120_000);

  it('keeps every message, retries with growing waits recorded in the outbox, and delivers each once when the peer returns', async () => {
    const peer = new SmtpPeer();
    await peer.start();
    const port = peer.port;
    await peer.stop();
    const run = crypto.randomBytes(4).toString('hex');
    const addresses = Array.from({ length: 5 }, (_, i) => `fora-${run}-${i}@x.test`);
    await testEnv().sequelize.transaction(async () => {
      for (const to of addresses) {
        await enqueueMail({ to, subject: 'Aviso durante a queda', template: 'notice', data: { greeting: 'Olá.', message: 'Mensagem que não pode se perder.', link: 'http://localhost/x', linkLabel: 'Abrir' } });
      }
    });
    const rows = (): Promise<Row[]> =>
      testEnv().sequelize.query<Row>(
        `SELECT to_address, status, attempts, last_error, extract(epoch FROM next_attempt_at - updated_at)::float AS wait_s
           FROM platform.outbox WHERE to_address = ANY ($1) ORDER BY to_address`,
        { bind: [addresses], type: QueryTypes.SELECT },
      );
    const worker = new OutboxWorker(testEnv().sequelize, createTransport(`smtp://127.0.0.1:${port}`, os.tmpdir()), {
      from: 'PEN Nuvem <nao-responda@pen.gov.br>',
      backoff: (attempt) => defaultBackoff(attempt) / SCALE,
    });
    const seen: number[][] = addresses.map(() => []);
    worker.start(50);
    try {
      const downUntil = Date.now() + (MINUTES_DOWN * 60 * 1000) / SCALE;
      while (Date.now() < downUntil) {
        (await rows()).forEach((r, i) => {
          if (seen[i].at(-1) !== r.attempts) seen[i].push(r.attempts);
        });
        await new Promise((r) => setTimeout(r, 50));
      }
      const during = await rows();
      // 5 s, 10 s, 20 s … after each failure: in 10 minutes, attempts at 0, 5 s, 15 s, 35 s, 75 s, 155 s,
      // 315 s and (barely) 635 s — six or seven tries, none given up (the limit is ten).
      for (const r of during) {
        expect(r.status, r.to_address).to.equal('pending');
        expect(r.attempts, r.to_address).to.be.within(6, 7);
        expect(r.last_error).to.match(/ECONNREFUSED/);
        expect(r.wait_s * SCALE, `espera após a tentativa ${r.attempts}`).to.be.closeTo(defaultBackoff(r.attempts), 2);
      }
      // Every attempt was recorded one by one (no burst of retries).
      for (const s of seen) expect(s).to.deep.equal(Array.from({ length: s.length }, (_, i) => s[0] + i));
      expect(peer.messages).to.have.length(0);

      await peer.start(port);
      await until('todas as mensagens entregues', async () => (await rows()).every((r) => r.status === 'sent'), 30_000);
      await new Promise((r) => setTimeout(r, 300));
      for (const to of addresses) expect(peer.to(to), to).to.have.length(1);
    } finally {
      await worker.stop();
      await peer.stop();
    }
  });
});
