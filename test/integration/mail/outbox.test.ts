import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { Op } from 'sequelize';
import { enqueueMail } from '../../../server/mail/outbox';
import { createTransport } from '../../../server/mail/transport';
import { OutboxWorker } from '../../../server/mail/worker';
import { OutboxMessage } from '../../../server/models';
import { testEnv } from '../../support/environment';
import { SmtpPeer } from '../../support/smtp';

const FROM = 'PEN Nuvem <nao-responda@pen.gov.br>';

function notice(to: string, subject: string) {
  return enqueueMail({
    to,
    subject,
    template: 'notice',
    data: { greeting: 'Olá, Maria.', message: 'Seu pedido foi recebido.', link: 'http://localhost:3000/x?a=1&b=2', linkLabel: 'Acompanhar' },
  });
}

describe('Integration - mail/outbox', () => {
  const peer = new SmtpPeer();

  before(async () => {
    await peer.start();
  });
  after(async () => {
    await peer.stop();
  });

  it('writes nothing when the change that caused the message rolls back', async () => {
    const to = `rollback-${Date.now()}@x.test`;
    try {
      await testEnv().sequelize.transaction(async () => {
        await notice(to, 'Não deve sair');
        throw new Error('a mudança falhou');
      });
    } catch {
      // expected
    }
    expect(await OutboxMessage.count({ where: { toAddress: to } })).to.equal(0);
  });

  it('delivers a committed message through a real SMTP server, rendered from its templates', async () => {
    const to = `entrega-${Date.now()}@x.test`;
    await testEnv().sequelize.transaction(() => notice(to, 'Pedido recebido'));
    const worker = new OutboxWorker(testEnv().sequelize, createTransport(peer.url, os.tmpdir()), { from: FROM });
    await worker.deliverDue();
    const mail = await peer.waitFor(to, /Pedido recebido/);
    expect(mail.text).to.contain('Seu pedido foi recebido.');
    expect(mail.text).to.contain('http://localhost:3000/x?a=1&b=2');
    expect(mail.html).to.contain('Acompanhar');
    const row = await OutboxMessage.findOne({ where: { toAddress: to } });
    expect(row!.status).to.equal('sent');
    expect(row!.sentAt).to.be.instanceOf(Date);
  });

  it('keeps a message while SMTP is down and delivers it once the server is back', async () => {
    const to = `queda-${Date.now()}@x.test`;
    await testEnv().sequelize.transaction(() => notice(to, 'Depois da queda'));
    const port = peer.port;
    await peer.stop();
    const worker = new OutboxWorker(testEnv().sequelize, createTransport(`smtp://127.0.0.1:${port}`, os.tmpdir()), {
      from: FROM,
      backoff: () => 0,
    });
    expect(await worker.deliverDue()).to.equal(0);
    const failed = await OutboxMessage.findOne({ where: { toAddress: to } });
    expect(failed!.status).to.equal('pending');
    expect(failed!.attempts).to.equal(1);
    expect(failed!.lastError).to.be.a('string').and.not.empty;
    await peer.start(port);
    await worker.deliverDue();
    await peer.waitFor(to, /Depois da queda/);
    const sent = await OutboxMessage.findOne({ where: { toAddress: to } });
    expect(sent!.status).to.equal('sent');
    expect(sent!.attempts).to.equal(2);
  });

  it('waits longer after each failure (backoff) and gives up after the last attempt', async () => {
    const to = `desiste-${Date.now()}@x.test`;
    await testEnv().sequelize.transaction(() => notice(to, 'Nunca chega'));
    const deadPort = peer.port + 1;
    const worker = new OutboxWorker(testEnv().sequelize, createTransport(`smtp://127.0.0.1:${deadPort}`, os.tmpdir()), {
      from: FROM,
      maxAttempts: 2,
      backoff: (n) => (n === 1 ? 0 : 3600),
    });
    await worker.deliverDue();
    let row = await OutboxMessage.findOne({ where: { toAddress: to } });
    expect(row!.status).to.equal('pending');
    await worker.deliverDue();
    row = await OutboxMessage.findOne({ where: { toAddress: to } });
    expect(row!.status).to.equal('failed');
    expect(row!.attempts).to.equal(2);
  });

  it('does not send a message whose lease is held by a worker that may still be sending; takes it after the lease expires', async () => {
    const to = `lease-${Date.now()}@x.test`;
    const msg = await testEnv().sequelize.transaction(() => notice(to, 'Com lease'));
    await OutboxMessage.update({ lockedUntil: new Date(Date.now() + 3600_000) }, { where: { id: msg.id } });
    const worker = new OutboxWorker(testEnv().sequelize, createTransport(peer.url, os.tmpdir()), { from: FROM });
    await worker.deliverDue();
    expect(peer.to(to)).to.have.length(0);
    await OutboxMessage.update({ lockedUntil: new Date(Date.now() - 1000) }, { where: { id: msg.id } });
    await worker.deliverDue();
    await peer.waitFor(to, /Com lease/);
  });

  it('delivers each message exactly once with two workers running at the same time', async () => {
    const stamp = Date.now();
    const addresses = Array.from({ length: 20 }, (_, i) => `par-${stamp}-${i}@x.test`);
    await testEnv().sequelize.transaction(async () => {
      for (const a of addresses) await notice(a, 'Em paralelo');
    });
    const w1 = new OutboxWorker(testEnv().sequelize, createTransport(peer.url, os.tmpdir()), { from: FROM, batchSize: 5 });
    const w2 = new OutboxWorker(testEnv().sequelize, createTransport(peer.url, os.tmpdir()), { from: FROM, batchSize: 5 });
    for (let i = 0; i < 4; i++) await Promise.all([w1.deliverDue(), w2.deliverDue()]);
    for (const a of addresses) expect(peer.to(a), a).to.have.length(1);
    expect(await OutboxMessage.count({ where: { toAddress: { [Op.in]: addresses }, status: 'sent' } })).to.equal(20);
  });

  it('writes .eml files under the mail folder when no SMTP_URL is set', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pen-mail-'));
    const to = `arquivo-${Date.now()}@x.test`;
    await testEnv().sequelize.transaction(() => notice(to, 'Em arquivo'));
    const worker = new OutboxWorker(testEnv().sequelize, createTransport(undefined, dir), { from: FROM });
    await worker.deliverDue();
    const files = fs.readdirSync(dir);
    expect(files.some((f) => f.endsWith('.eml') && f.includes('arquivo'))).to.equal(true);
    const content = fs.readFileSync(path.join(dir, files.find((f) => f.includes('arquivo'))!), 'utf8');
    expect(content).to.contain('Subject: Em arquivo');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
