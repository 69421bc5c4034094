import { expect } from 'chai';
import { FailureThrottle } from '../../../server/auth/failureThrottle';
import { createInternalDocument } from '../../../server/documents/service';
import { signDocument } from '../../../server/signatures/service';
import { setReceivingUnit, setSendMapping, setTramitaDefaults } from '../../../server/tramita/admin';
import { acceptTransfer, packageFor } from '../../../server/tramita/receive';
import { sendToOtherGovernment, type ExternalSendInput } from '../../../server/tramita/send';
import { attachPdf, type DocWorld, docWorld, inWorld, newProcess } from '../../support/documents';
import { testEnv } from '../../support/environment';
import { platformQuery, tenantQuery } from '../../support/processes';
import { createTestTenant, TEST_PASSWORD } from '../../support/tenants';

/** Tramita's return trip (issue 14): only what the destination does not already hold travels. */
describe('Integration - Tramita return trip', function () {
  this.timeout(90_000);
  let angra: DocWorld;
  let maranhao: DocWorld;
  let third: DocWorld;
  let throttle: FailureThrottle;

  const platform = platformQuery;
  const to = (w: DocWorld): ExternalSendInput => ({ receiverTenantId: w.tt.tenant.id, receiverUnitId: w.ids.units.SEGOV, message: 'Segue', keepOpen: false });
  const send = (w: DocWorld, processId: string, dest: DocWorld) => inWorld(w, () => sendToOtherGovernment(processId, w.clerk, to(dest)));
  const accept = async (w: DocWorld, transferId: string) => {
    const out = await inWorld(w, () => acceptTransfer(w.clerk, transferId));
    if (out.outcome !== 'accepted') throw new Error(`recusado: ${out.code} ${out.reason}`);
    return out;
  };
  const components = (transferId: string) =>
    platform<{ sha256: string; referenced: boolean; blob: boolean }>(
      `SELECT c.sha256, c.referenced, EXISTS (SELECT 1 FROM platform.tramita_blobs b WHERE b.sha256 = c.sha256) AS blob
         FROM platform.tramita_components c WHERE c.transfer_id = $1 ORDER BY c.position`,
      [transferId],
    );
  const addPdf = (w: DocWorld, processId: string, text: string) => attachPdf(w, processId, text, { complement: text, documentDate: '2026-12-01', fileName: 'parecer.pdf' });

  /** Opens the process again in the clerk's unit (as "manter aberto" at sending would have left it). */
  const reopenAt = (w: DocWorld, processId: string) =>
    tenantQuery(w.tt, 'UPDATE process_units SET open = true, concluded_at = NULL, concluded_by_id = NULL WHERE process_id = $1 AND unit_id = $2 RETURNING process_id', [processId, w.ids.units.SEGOV]);

  before(async () => {
    angra = await docWorld(await createTestTenant());
    maranhao = await docWorld(await createTestTenant());
    third = await docWorld(await createTestTenant());
    throttle = new FailureThrottle(testEnv().sequelize, `tramita-return-${Date.now()}`, 50, 60);
    for (const w of [angra, maranhao, third]) {
      await inWorld(w, () => setReceivingUnit(w.ids.units.SEGOV, true));
      await inWorld(w, () => setTramitaDefaults({ defaultSendEspecie: 999, defaultReceiveDocumentTypeId: w.docTypes['Anexo'], defaultLegalBasisId: null, receivedProcessTypeId: null }));
    }
    await inWorld(angra, () => setSendMapping(angra.docTypes['Despacho'], 42));
  });

  /** Angra sends a process with a signed despacho and a PDF to Maranhão, which accepts it. */
  async function firstTrip(): Promise<{ processId: string; number: string; atMaranhao: string; firstHashes: string[] }> {
    const p = await newProcess(angra);
    const d = await inWorld(angra, () => createInternalDocument(angra.clerk, p.id, { documentTypeId: angra.docTypes['Despacho'], complement: null, accessLevel: 'public', legalBasisId: null }));
    await inWorld(angra, () => signDocument(angra.clerk, String(d.id), { signerTitleId: angra.titles.clerk, password: TEST_PASSWORD }, throttle));
    await addPdf(angra, p.id, 'Planilha de custos');
    const { transferId } = await send(angra, p.id, maranhao);
    const first = await components(transferId);
    expect(first.map((c) => c.referenced)).to.deep.equal([false, false]);
    const out = await accept(maranhao, transferId);
    return { processId: p.id, number: p.number, atMaranhao: out.processId, firstHashes: first.map((c) => c.sha256) };
  }

  it('sends back to the origin only the new document; the origin appends it to its own process, and both ends hold the same receipt', async () => {
    const trip = await firstTrip();
    const parecer = await addPdf(maranhao, trip.atMaranhao, 'Parecer da SEFAZ');
    const { transferId } = await send(maranhao, trip.atMaranhao, angra);

    const back = await components(transferId);
    expect(back.filter((c) => c.referenced).map((c) => c.sha256)).to.deep.equal(trip.firstHashes);
    const travelled = back.filter((c) => !c.referenced);
    expect(travelled.map((c) => c.sha256)).to.deep.equal([parecer.fileSha256]);
    expect(travelled[0].blob).to.equal(true);
    const [{ bytes }] = await platform<{ bytes: string }>(
      `SELECT coalesce(sum(b.size), 0) AS bytes FROM platform.tramita_components c JOIN platform.tramita_blobs b ON b.sha256 = c.sha256 WHERE c.transfer_id = $1 AND NOT c.referenced`,
      [transferId],
    );
    expect(Number(bytes)).to.equal(parecer.fileSize === null ? -1 : Number(parecer.fileSize));

    // The package page says which components did not travel again, and all verify.
    const pkg = await inWorld(angra, () => packageFor(angra.clerk, transferId));
    expect(pkg.automaticRefusal).to.equal(null);
    expect(pkg.components.map((c) => [c.referenced, c.hashOk])).to.deep.equal([[true, true], [true, true], [false, true]]);

    const before = await tenantQuery<{ id: string }>(angra.tt, 'SELECT id FROM documents WHERE process_id = $1 ORDER BY id', [trip.processId]);
    const out = await accept(angra, transferId);
    expect(out.processId).to.equal(trip.processId);
    const [{ n }] = await tenantQuery<{ n: string }>(angra.tt, 'SELECT count(*) AS n FROM processes WHERE number = $1', [trip.number]);
    expect(Number(n)).to.equal(1);
    const after = await tenantQuery<{ id: string; file_sha256: string | null; kind: string }>(angra.tt, 'SELECT id, file_sha256, kind FROM documents WHERE process_id = $1 ORDER BY id', [trip.processId]);
    expect(after.length).to.equal(before.length + 1);
    expect(after.slice(0, before.length).map((d) => d.id)).to.deep.equal(before.map((d) => d.id));
    expect(after[after.length - 1].file_sha256).to.equal(parecer.fileSha256);
    const [unit] = await tenantQuery<{ open: boolean }>(angra.tt, 'SELECT open FROM process_units WHERE process_id = $1 AND unit_id = $2', [trip.processId, angra.ids.units.SEGOV]);
    expect(unit.open).to.equal(true);
    const [event] = await tenantQuery<{ description: string }>(angra.tt, "SELECT description FROM process_events WHERE process_id = $1 AND kind = 'tramita.received' ORDER BY id DESC LIMIT 1", [trip.processId]);
    expect(event.description).to.match(/^Recebido de .+ \/ SEGOV/);

    const [atAngra] = await tenantQuery<{ receipt_sha256: string; role: string; receipt: { hashes: string[] } }>(angra.tt, 'SELECT receipt_sha256, role, receipt FROM tramita_receipts WHERE transfer_id = $1', [transferId]);
    const [atMaranhao] = await tenantQuery<{ receipt_sha256: string; role: string }>(maranhao.tt, 'SELECT receipt_sha256, role FROM tramita_receipts WHERE transfer_id = $1', [transferId]);
    expect([atAngra.role, atMaranhao.role]).to.deep.equal(['received', 'sent']);
    expect(atAngra.receipt_sha256).to.equal(atMaranhao.receipt_sha256).and.equal(out.receiptSha256);
    expect(atAngra.receipt.hashes).to.deep.equal(back.map((c) => c.sha256).sort());
  });

  it('refuses with 03 a reference to bytes the destination does not hold', async () => {
    const trip = await firstTrip();
    await addPdf(maranhao, trip.atMaranhao, 'Nota técnica');
    const { transferId } = await send(maranhao, trip.atMaranhao, angra);
    await testEnv().sequelize.query(`UPDATE platform.tramita_components SET sha256 = repeat('ab', 32) WHERE transfer_id = $1 AND referenced AND position = 1`, { bind: [transferId] });
    const out = await inWorld(angra, () => acceptTransfer(angra.clerk, transferId));
    expect(out.outcome).to.equal('refused');
    expect(out.outcome === 'refused' && out.code).to.equal('03');
    const [{ n }] = await tenantQuery<{ n: string }>(angra.tt, 'SELECT count(*) AS n FROM documents WHERE process_id = $1', [trip.processId]);
    expect(Number(n)).to.equal(2);
  });

  it('sends onward to a third government everything, since it holds nothing of the process', async () => {
    const trip = await firstTrip();
    await addPdf(maranhao, trip.atMaranhao, 'Encaminhamento');
    const { transferId } = await send(maranhao, trip.atMaranhao, third);
    const onward = await components(transferId);
    expect(onward.length).to.equal(3);
    expect(onward.every((c) => !c.referenced && c.blob)).to.equal(true);
    const out = await accept(third, transferId);
    const docs = await tenantQuery<{ file_sha256: string }>(third.tt, 'SELECT file_sha256 FROM documents WHERE process_id = $1 ORDER BY id', [out.processId]);
    expect(docs.map((d) => d.file_sha256)).to.deep.equal(onward.map((c) => c.sha256));
  });

  it('does not take back a process that is in transit elsewhere: its acceptance waits, with the reason, until that transfer ends', async () => {
    const trip = await firstTrip();
    // Angra sent it keeping it open, then sends it on to a third government; Maranhão sends it back meanwhile.
    await reopenAt(angra, trip.processId);
    const onward = await send(angra, trip.processId, third);
    await addPdf(maranhao, trip.atMaranhao, 'Resposta enquanto isso');
    const { transferId } = await send(maranhao, trip.atMaranhao, angra);
    const err = await inWorld(angra, () => acceptTransfer(angra.clerk, transferId)).then(() => null, (e: Error) => e);
    expect(err?.message).to.contain('está em trâmite externo para');
    const [state] = await platform<{ state: string }>('SELECT state FROM platform.tramita_transfers WHERE id = $1', [transferId]);
    expect(state.state).to.equal('componentes_enviados');
    await accept(third, onward.transferId);
    expect((await accept(angra, transferId)).processId).to.equal(trip.processId);
  });
});
