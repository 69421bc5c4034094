import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { FailureThrottle } from '../../../server/auth/failureThrottle';
import { createInternalDocument } from '../../../server/documents/service';
import { signDocument } from '../../../server/signatures/service';
import { setReceivingUnit, setTramitaDefaults } from '../../../server/tramita/admin';
import { acceptTransfer, refuseTransfer } from '../../../server/tramita/receive';
import { sendToOtherGovernment } from '../../../server/tramita/send';
import { runPacking } from '../../../server/tramita/packing';
import { runTramitaJobs } from '../../../server/tramita/sync';
import { acceptOrQueue, runUnpacking } from '../../../server/tramita/unpacking';
import { attachPdf, type DocWorld, docWorld, inWorld, newProcess } from '../../support/documents';
import { testEnv } from '../../support/environment';
import { completeChild, killHard, LockHolder, runChild } from '../../support/faults';
import { tenantQuery } from '../../support/processes';
import { createTestTenant, TEST_PASSWORD } from '../../support/tenants';

function q<T extends object>(sql: string, bind: unknown[] = []): Promise<T[]> {
  return testEnv().sequelize.query<T>(sql, { bind, type: QueryTypes.SELECT });
}

const env = (): Record<string, string> => ({ DATABASE_URL: testEnv().url });

/**
 * Tramita under kill -9 (issue 14): a real child process doing a step is stopped at its last write
 * (a lock the test holds) and killed with SIGKILL; then the step is run again. No duplicate process,
 * no lost document, the origin never blocked forever, the same receipt at both ends.
 */
describe('Integration - Tramita: kill -9 at each step', function () {
  this.timeout(180_000);
  let origin: DocWorld;
  let receiver: DocWorld;

  before(async () => {
    origin = await docWorld(await createTestTenant());
    receiver = await docWorld(await createTestTenant());
    await inWorld(receiver, () => setReceivingUnit(receiver.ids.units.SEGOV, true));
    await inWorld(receiver, () => setTramitaDefaults({ defaultSendEspecie: null, defaultReceiveDocumentTypeId: receiver.docTypes['Anexo'], defaultLegalBasisId: null, receivedProcessTypeId: null }));
    await inWorld(origin, () => setTramitaDefaults({ defaultSendEspecie: 999, defaultReceiveDocumentTypeId: null, defaultLegalBasisId: null, receivedProcessTypeId: null }));
  });

  const input = () => ({ receiverTenantId: receiver.tt.tenant.id, receiverUnitId: receiver.ids.units.SEGOV, message: null, keepOpen: false });

  async function readyProcess(): Promise<{ id: string; number: string }> {
    const p = await newProcess(origin);
    const d = await inWorld(origin, () => createInternalDocument(origin.clerk, p.id, { documentTypeId: origin.docTypes['Despacho'], complement: null, accessLevel: 'public', legalBasisId: null }));
    await inWorld(origin, () => signDocument(origin.clerk, String(d.id), { signerTitleId: origin.titles.clerk, password: TEST_PASSWORD }, new FailureThrottle(testEnv().sequelize, `kill-${Date.now()}`, 5, 60)));
    return p;
  }

  const transfersOf = (processId: string) =>
    q<{ id: string; state: string }>('SELECT id, state FROM platform.tramita_transfers WHERE origin_tenant_id = $1 AND origin_process_id = $2 ORDER BY id', [origin.tt.tenant.id, processId]);
  const receivedCount = async (nup: string) => Number((await tenantQuery<{ n: string }>(receiver.tt, 'SELECT count(*) AS n FROM processes WHERE number = $1', [nup]))[0].n);

  async function killAt(lockSql: string, operation: string, args: object): Promise<void> {
    const holder = new LockHolder(testEnv().url);
    await holder.hold(lockSql);
    const run = runChild(operation, args, env());
    const backend = await holder.blocked(run);
    await killHard(run);
    await holder.release(backend);
  }

  it('leaves no transfer, no bytes and an unblocked origin when sending is killed after the package is written, and a resend travels once', async () => {
    const p = await readyProcess();
    const [{ n: blobsBefore }] = await q<{ n: string }>('SELECT count(*) AS n FROM platform.tramita_blobs');
    // The sending transaction's last write is the origin's andamento: every blob and component is written by then.
    await killAt(`LOCK TABLE ${origin.tt.tenant.schema}.process_events IN SHARE MODE`, 'tramita-send', { tenant: origin.tt.tenant, processId: p.id, actor: origin.clerk, input: input() });
    expect(await transfersOf(p.id)).to.deep.equal([]);
    const [{ n: blobsAfter }] = await q<{ n: string }>('SELECT count(*) AS n FROM platform.tramita_blobs');
    expect(blobsAfter).to.equal(blobsBefore);
    const { transferId } = await completeChild<{ transferId: string }>('tramita-send', { tenant: origin.tt.tenant, processId: p.id, actor: origin.clerk, input: input() }, env());
    expect((await transfersOf(p.id)).map((t) => t.id)).to.deep.equal([transferId]);
    const out = await inWorld(receiver, () => acceptTransfer(receiver.clerk, transferId));
    expect(out.outcome).to.equal('accepted');
    expect(await receivedCount(p.number)).to.equal(1);
  });

  it('resumes packing in the worker when the sender is killed half-way: each component once, the origin blocked only until it is ready', async () => {
    const p = await readyProcess();
    await attachPdf(origin, p.id, `Anexo ${p.number}`, { documentDate: '2026-12-01' });
    // The transfer commits `iniciado`, the signed despacho (rendered) is packed in its own transaction;
    // reading the PDF's bytes then waits on the lock, and the sender is killed there.
    await killAt(`LOCK TABLE ${origin.tt.tenant.schema}.file_contents IN ACCESS EXCLUSIVE MODE`, 'tramita-send', { tenant: origin.tt.tenant, processId: p.id, actor: origin.clerk, input: input() });
    const [halfway] = await q<{ id: string; state: string; packed_count: number; component_count: number }>(
      'SELECT id, state, packed_count, component_count FROM platform.tramita_transfers WHERE origin_tenant_id = $1 AND origin_process_id = $2',
      [origin.tt.tenant.id, p.id],
    );
    expect(halfway).to.include({ state: 'iniciado', packed_count: 1, component_count: 2 });
    // The dead sender's lease still holds the transfer: the worker leaves it alone until the lease runs out.
    expect(await runPacking()).to.equal(0);
    expect(await runPacking(new Date(Date.now() + 5 * 60_000))).to.equal(1);
    const parts = await q<{ position: number }>('SELECT position FROM platform.tramita_components WHERE transfer_id = $1 ORDER BY position', [halfway.id]);
    expect(parts.map((c) => c.position)).to.deep.equal([1, 2]);
    expect((await transfersOf(p.id))[0].state).to.equal('componentes_enviados');
    const out = await inWorld(receiver, () => acceptTransfer(receiver.clerk, halfway.id));
    if (out.outcome !== 'accepted') throw new Error(`recusado: ${out.reason}`);
    const docs = await tenantQuery<{ n: string }>(receiver.tt, 'SELECT count(*) AS n FROM documents WHERE process_id = $1', [out.processId]);
    expect(Number(docs[0].n)).to.equal(2);
  });

  it('creates nothing at the receiver when acceptance is killed before it commits; accepting again creates the process once, with every document', async () => {
    const p = await readyProcess();
    const { transferId } = await inWorld(origin, () => sendToOtherGovernment(p.id, origin.clerk, input()));
    // The acceptance's last write is the platform figures of the receiver: process, documents, receipt and state are written by then.
    await killAt('LOCK TABLE platform.tenant_figures IN SHARE MODE', 'tramita-accept', { tenant: receiver.tt.tenant, actor: receiver.clerk, transferId });
    expect(await receivedCount(p.number)).to.equal(0);
    expect((await transfersOf(p.id))[0].state).to.equal('componentes_enviados');
    expect(await tenantQuery(receiver.tt, 'SELECT 1 FROM tramita_receipts WHERE transfer_id = $1', [transferId])).to.deep.equal([]);
    const out = await completeChild<{ outcome: string; processId: string }>('tramita-accept', { tenant: receiver.tt.tenant, actor: receiver.clerk, transferId }, env());
    expect(out.outcome).to.equal('accepted');
    expect(await receivedCount(p.number)).to.equal(1);
    const docs = await tenantQuery<{ n: string }>(receiver.tt, 'SELECT count(*) AS n FROM documents WHERE process_id = $1', [out.processId]);
    expect(Number(docs[0].n)).to.equal(1);
    expect((await transfersOf(p.id))[0].state).to.equal('recibo_conclusao');
  });

  it('keeps a large package awaiting, its acceptance still asked for, when the worker accepting it is killed; the next run accepts it once', async () => {
    const p = await readyProcess();
    const { transferId } = await inWorld(origin, () => sendToOtherGovernment(p.id, origin.clerk, input()));
    expect((await inWorld(receiver, () => acceptOrQueue(receiver.clerk, transferId, { documents: 0, bytes: 0 }))).outcome).to.equal('queued');
    // The acceptance's last write is the platform figures of the receiver, as in the request.
    await killAt('LOCK TABLE platform.tenant_figures IN SHARE MODE', 'tramita-unpack', {});
    expect(await receivedCount(p.number)).to.equal(0);
    const [waiting] = await q<{ state: string; asked: boolean }>('SELECT state, accept_requested_at IS NOT NULL AS asked FROM platform.tramita_transfers WHERE id = $1', [transferId]);
    expect(waiting).to.deep.equal({ state: 'componentes_enviados', asked: true });
    // The dead worker's lease holds it until it runs out; then the next run accepts it.
    expect(await runUnpacking(new Date(Date.now() + 11 * 60_000))).to.be.greaterThan(0);
    expect(await receivedCount(p.number)).to.equal(1);
    expect((await transfersOf(p.id))[0].state).to.equal('recibo_conclusao');
  });

  it('keeps the transfer awaiting when a refusal is killed; refusing again ends it and unblocks the origin', async () => {
    const p = await readyProcess();
    const { transferId } = await inWorld(origin, () => sendToOtherGovernment(p.id, origin.clerk, input()));
    await killAt('LOCK TABLE platform.tramita_events IN SHARE MODE', 'tramita-refuse', { tenant: receiver.tt.tenant, actor: receiver.clerk, transferId, code: '01', reason: null });
    expect((await transfersOf(p.id))[0].state).to.equal('componentes_enviados');
    await inWorld(receiver, () => refuseTransfer(receiver.clerk, transferId, '01', null));
    expect((await transfersOf(p.id))[0].state).to.equal('recusado');
    const events = await tenantQuery<{ n: string }>(origin.tt, "SELECT count(*) AS n FROM process_events WHERE process_id = $1 AND kind = 'tramita.refused'", [p.id]);
    expect(Number(events[0].n)).to.equal(1);
  });

  it('finishes the origin side in the worker when the process is killed right after the acceptance committed: the same receipt at both ends', async () => {
    const p = await readyProcess();
    const { transferId } = await inWorld(origin, () => sendToOtherGovernment(p.id, origin.clerk, input()));
    // The acceptance commits; the origin's receipt copy is then blocked, and the process killed there.
    await killAt(`LOCK TABLE ${origin.tt.tenant.schema}.tramita_receipts IN SHARE MODE`, 'tramita-accept', { tenant: receiver.tt.tenant, actor: receiver.clerk, transferId });
    expect(await receivedCount(p.number)).to.equal(1);
    const [before] = await q<{ state: string; origin_synced_at: Date | null }>('SELECT state, origin_synced_at FROM platform.tramita_transfers WHERE id = $1', [transferId]);
    expect(before).to.deep.equal({ state: 'recebido', origin_synced_at: null });
    await runTramitaJobs();
    expect((await transfersOf(p.id))[0].state).to.equal('recibo_conclusao');
    const [atOrigin] = await tenantQuery<{ receipt_sha256: string }>(origin.tt, 'SELECT receipt_sha256 FROM tramita_receipts WHERE transfer_id = $1', [transferId]);
    const [atReceiver] = await tenantQuery<{ receipt_sha256: string }>(receiver.tt, 'SELECT receipt_sha256 FROM tramita_receipts WHERE transfer_id = $1', [transferId]);
    expect(atOrigin.receipt_sha256).to.equal(atReceiver.receipt_sha256);
    const [unit] = await tenantQuery<{ open: boolean }>(origin.tt, 'SELECT open FROM process_units WHERE process_id = $1 AND unit_id = $2', [p.id, origin.ids.units.SEGOV]);
    expect(unit.open).to.equal(false);
  });

  it('leaves the origin process as it was when the acceptance of its return is killed; accepting again appends the new document once', async () => {
    // The return trip: the receiver sends the process back to the origin's SEGOV.
    await inWorld(origin, () => setReceivingUnit(origin.ids.units.SEGOV, true));
    await inWorld(origin, () => setTramitaDefaults({ defaultSendEspecie: 999, defaultReceiveDocumentTypeId: origin.docTypes['Anexo'], defaultLegalBasisId: null, receivedProcessTypeId: null }));
    await inWorld(receiver, () => setTramitaDefaults({ defaultSendEspecie: 999, defaultReceiveDocumentTypeId: receiver.docTypes['Anexo'], defaultLegalBasisId: null, receivedProcessTypeId: null }));
    const p = await readyProcess();
    const first = await inWorld(origin, () => sendToOtherGovernment(p.id, origin.clerk, input()));
    const accepted = await inWorld(receiver, () => acceptTransfer(receiver.clerk, first.transferId));
    if (accepted.outcome !== 'accepted') throw new Error('a primeira ida foi recusada');
    await attachPdf(receiver, accepted.processId, 'Parecer de volta', { documentDate: '2026-12-01', fileName: 'parecer.pdf' });
    const back = await inWorld(receiver, () =>
      sendToOtherGovernment(accepted.processId, receiver.clerk, { receiverTenantId: origin.tt.tenant.id, receiverUnitId: origin.ids.units.SEGOV, message: null, keepOpen: false }),
    );
    const documents = async () => (await tenantQuery<{ id: string }>(origin.tt, 'SELECT id FROM documents WHERE process_id = $1 ORDER BY id', [p.id])).map((d) => d.id);
    const before = await documents();
    // A return's acceptance skips the figures (no new process): its last write is the event `recebido`.
    await killAt('LOCK TABLE platform.tramita_events IN SHARE MODE', 'tramita-accept', { tenant: origin.tt.tenant, actor: origin.clerk, transferId: back.transferId });
    expect(await documents()).to.deep.equal(before);
    const [awaiting] = await q<{ state: string }>('SELECT state FROM platform.tramita_transfers WHERE id = $1', [back.transferId]);
    expect(awaiting.state).to.equal('componentes_enviados');
    const out = await completeChild<{ outcome: string; processId: string }>('tramita-accept', { tenant: origin.tt.tenant, actor: origin.clerk, transferId: back.transferId }, env());
    expect(out).to.include({ outcome: 'accepted', processId: p.id });
    const after = await documents();
    expect(after.length).to.equal(before.length + 1);
    expect(after.slice(0, before.length)).to.deep.equal(before);
    const [ended] = await q<{ state: string }>('SELECT state FROM platform.tramita_transfers WHERE id = $1', [back.transferId]);
    expect(ended.state).to.equal('recibo_conclusao');
  });
});
