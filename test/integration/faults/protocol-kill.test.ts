import crypto from 'node:crypto';
import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { testEnv } from '../../support/environment';
import { completeChild, killHard, LockHolder, runChild } from '../../support/faults';
import { serviceId, tenantRows } from '../../support/protocol';
import { createTestTenant, type TestTenant } from '../../support/tenants';

const env = (): Record<string, string> => ({ DATABASE_URL: testEnv().url });
const n = async (t: TestTenant, sql: string, bind: unknown[] = []): Promise<number> => Number((await tenantRows<{ n: string }>(t, sql, bind))[0].n);

/**
 * kill -9 of the process filing a citizen's request (server/protocol/filing.ts): a real child
 * process (test/integration/faults/child.ts) is stopped inside its transaction by a lock the test
 * holds, then SIGKILLed. Afterwards the request exists whole (number, receipt, attachments with
 * their bytes, history, e-mail) or not at all; the re-run files it once.
 */
describe('Integration - faults/kill -9 of a citizen filing', function () {
  this.timeout(120_000);
  let t: TestTenant;
  let service: string;
  const citizen = { name: 'Cidadã Derrubada', cpf: '52998224725', email: `kill-${crypto.randomUUID()}@cidada.test`, method: 'email', verifiedAt: new Date().toISOString() };

  before(async () => {
    t = await createTestTenant();
    service = await serviceId(t);
  });

  const snapshot = async () => ({
    requests: await n(t, 'SELECT count(*) AS n FROM tenant.citizen_requests'),
    files: await n(t, 'SELECT count(*) AS n FROM tenant.citizen_request_files'),
    bytes: await n(t, 'SELECT count(*) AS n FROM tenant.file_contents'),
    events: await n(t, 'SELECT count(*) AS n FROM tenant.citizen_request_events'),
    counter: await n(t, 'SELECT coalesce(sum(last), 0) AS n FROM tenant.citizen_request_counters'),
    mails: await n(t, 'SELECT count(*) AS n FROM platform.outbox WHERE to_address = $1', [citizen.email]),
  });
  /** Request rows whose attachments or receipt have no bytes (must never exist). */
  const withoutBytes = () =>
    n(
      t,
      `SELECT count(*) AS n FROM tenant.citizen_requests r
        WHERE (r.receipt_sha256 IS NOT NULL AND NOT EXISTS (SELECT 1 FROM tenant.file_contents f WHERE f.sha256 = r.receipt_sha256))
           OR EXISTS (SELECT 1 FROM tenant.citizen_request_files a WHERE a.request_id = r.id AND NOT EXISTS (SELECT 1 FROM tenant.file_contents f WHERE f.sha256 = a.sha256))`,
    );

  it('leaves no draft and no orphan bytes when the form with its attachments is killed after the bytes were written', async () => {
    const before = await snapshot();
    const args = { tenant: t.tenant, serviceId: service, citizen, text: `Pedido ${crypto.randomUUID()}` };
    const holder = new LockHolder(testEnv().url);
    // Bytes first, then the attachment rows: the save stops between the two.
    await holder.hold(`LOCK TABLE "${t.tenant.schema}".citizen_request_files IN SHARE MODE`);
    const run = runChild('draft', args, env());
    const backend = await holder.blocked(run);
    await killHard(run);
    await holder.release(backend);
    expect(await snapshot()).to.deep.equal(before);

    const { id } = await completeChild<{ id: string }>('draft', args, env());
    const after = await snapshot();
    expect(after).to.deep.include({ requests: before.requests + 1, files: before.files + 2, bytes: before.bytes + 2 });
    expect((await tenantRows<{ status: string }>(t, 'SELECT status FROM tenant.citizen_requests WHERE id = $1', [id]))[0].status).to.equal('draft');
    expect(await withoutBytes()).to.equal(0);
  });

  it('files all or nothing when the submission is killed after taking its number and storing its receipt: the re-run takes the same number and files once', async () => {
    const { id } = await completeChild<{ id: string }>('draft', { tenant: t.tenant, serviceId: service, citizen, text: `Pedido ${crypto.randomUUID()}` }, env());
    const before = await snapshot();
    const args = { tenant: t.tenant, draftId: id, serviceId: service, citizen };
    const holder = new LockHolder(testEnv().url);
    // Number taken, receipt bytes stored, request updated; the first history line waits.
    await holder.hold(`LOCK TABLE "${t.tenant.schema}".citizen_request_events IN SHARE MODE`);
    const run = runChild('submit', args, env());
    const backend = await holder.blocked(run);
    const [{ waiting }] = await testEnv().sequelize.query<{ waiting: string }>('SELECT query AS waiting FROM pg_stat_activity WHERE pid = $1', { bind: [backend], type: QueryTypes.SELECT });
    expect(waiting).to.match(/INSERT INTO "citizen_request_events"/);
    await killHard(run);
    await holder.release(backend);

    expect(await snapshot()).to.deep.equal(before);
    const [draft] = await tenantRows<{ status: string; number: string | null; receipt_sha256: string | null; access_code_hash: string | null }>(
      t,
      'SELECT status, number, receipt_sha256, access_code_hash FROM tenant.citizen_requests WHERE id = $1',
      [id],
    );
    expect(draft).to.deep.equal({ status: 'draft', number: null, receipt_sha256: null, access_code_hash: null });

    const filed = await completeChild<{ requestId: string; number: string }>('submit', args, env());
    expect(filed.requestId).to.equal(id);
    expect(Number(filed.number.slice(0, 6))).to.equal(before.counter + 1);
    const after = await snapshot();
    expect(after).to.deep.equal({ ...before, bytes: before.bytes + 1, events: before.events + 1, counter: before.counter + 1, mails: before.mails + 1 });
    const [row] = await tenantRows<{ status: string; number: string }>(t, 'SELECT status, number FROM tenant.citizen_requests WHERE id = $1', [id]);
    expect(row).to.deep.equal({ status: 'received', number: filed.number });
    expect(await withoutBytes()).to.equal(0);
  });
});
