import { expect } from 'chai';
import { FailureThrottle } from '../../../server/auth/failureThrottle';
import { cancelDocument, createInternalDocument } from '../../../server/documents/service';
import { DomainError, ValidationError } from '../../../server/errors';
import { concludeProcess, suspendProcess } from '../../../server/processes/actions';
import { signDocument } from '../../../server/signatures/service';
import { setLegalBasisReceiveMapping, setLegalBasisSendMapping, setReceivingUnit, setSendMapping, setTramitaDefaults, receivingDirectory } from '../../../server/tramita/admin';
import { acceptTransfer, packageFor, receivedTransfers, refuseTransfer } from '../../../server/tramita/receive';
import { acknowledgeRefusal, cancelTransfer, sendToOtherGovernment, type ExternalSendInput } from '../../../server/tramita/send';
import { processTramita } from '../../../server/tramita/pages';
import { runPacking } from '../../../server/tramita/packing';
import { runTramitaJobs, syncOrigin } from '../../../server/tramita/sync';
import { acceptOrQueue, runUnpacking } from '../../../server/tramita/unpacking';
import { attachPdf, type DocWorld, docWorld, inWorld, newProcess } from '../../support/documents';
import { testEnv } from '../../support/environment';
import { platformQuery, tenantQuery } from '../../support/processes';
import { createTestTenant, TEST_PASSWORD } from '../../support/tenants';

/** Tramita (issue 14): a process travels from one tenant to another, verified component by component. */
describe('Integration - Tramita between two governments', function () {
  this.timeout(60_000);
  let origin: DocWorld;
  let receiver: DocWorld;
  let third: DocWorld;
  let throttle: FailureThrottle;

  const platform = platformQuery;

  before(async () => {
    origin = await docWorld(await createTestTenant());
    receiver = await docWorld(await createTestTenant());
    third = await docWorld(await createTestTenant());
    throttle = new FailureThrottle(testEnv().sequelize, `tramita-${Date.now()}`, 50, 60);
    await inWorld(receiver, () => setReceivingUnit(receiver.ids.units.SEGOV, true));
    await inWorld(third, () => setReceivingUnit(third.ids.units.SEGOV, true));
    await inWorld(receiver, () => setTramitaDefaults({ defaultSendEspecie: null, defaultReceiveDocumentTypeId: receiver.docTypes['Anexo'], defaultLegalBasisId: null, receivedProcessTypeId: null }));
    await inWorld(origin, () => setSendMapping(origin.docTypes['Despacho'], 42));
    await inWorld(origin, () => setSendMapping(origin.docTypes['Anexo'], 179));
  });

  const to = (w: DocWorld = receiver): ExternalSendInput => ({ receiverTenantId: w.tt.tenant.id, receiverUnitId: w.ids.units.SEGOV, message: 'Para análise', keepOpen: false });

  /** A process with a signed despacho and a PDF, ready to travel. */
  async function readyProcess(w: DocWorld = origin): Promise<{ id: string; number: string; despachoId: string; pdfId: string }> {
    const p = await newProcess(w);
    const d = await inWorld(w, () => createInternalDocument(w.clerk, p.id, { documentTypeId: w.docTypes['Despacho'], complement: null, accessLevel: 'public', legalBasisId: null }));
    await inWorld(w, () => signDocument(w.clerk, String(d.id), { signerTitleId: w.titles.clerk, password: TEST_PASSWORD }, throttle));
    const pdf = await attachPdf(w, p.id, 'Planilha de custos', { fileName: 'planilha.pdf' });
    return { ...p, despachoId: String(d.id), pdfId: String(pdf.id) };
  }

  async function refusalOf(fn: () => Promise<unknown>): Promise<DomainError> {
    try {
      await fn();
    } catch (err) {
      if (err instanceof DomainError) return err;
      throw err;
    }
    throw new Error('esperava uma recusa');
  }

  const send = (id: string, w: DocWorld = origin, dest: ExternalSendInput = to()) => inWorld(w, () => sendToOtherGovernment(id, w.clerk, dest));
  const stateOf = async (transferId: string) => (await platform<{ state: string }>('SELECT state FROM platform.tramita_transfers WHERE id = $1', [transferId]))[0].state;

  describe('prerequisites, each with its message and nothing packed', () => {
    async function expectRefused(id: string, field: string, text: string, dest: ExternalSendInput = to()): Promise<void> {
      const [{ n: before }] = await platform<{ n: string }>('SELECT count(*) AS n FROM platform.tramita_transfers');
      const err = await refusalOf(() => send(id, origin, dest));
      expect(err).to.be.instanceOf(ValidationError);
      expect((err as ValidationError).fields[field]).to.contain(text);
      const [{ n: after }] = await platform<{ n: string }>('SELECT count(*) AS n FROM platform.tramita_transfers');
      expect(after).to.equal(before);
    }

    it('refuses a process without interessados', async () => {
      const p = await newProcess(origin);
      await tenantQuery(origin.tt, 'DELETE FROM process_parties WHERE process_id = $1 RETURNING process_id', [p.id]);
      await expectRefused(p.id, 'interessados', 'ao menos um interessado');
    });

    it('refuses a process without especificação', async () => {
      const p = await newProcess(origin);
      await tenantQuery(origin.tt, "UPDATE processes SET specification = ' ' WHERE id = $1 RETURNING id", [p.id]);
      await expectRefused(p.id, 'especificacao', 'especificação');
    });

    it('refuses a process with an unsigned minuta, naming it', async () => {
      const p = await newProcess(origin);
      const d = await inWorld(origin, () => createInternalDocument(origin.clerk, p.id, { documentTypeId: origin.docTypes['Despacho'], complement: null, accessLevel: 'public', legalBasisId: null }));
      await expectRefused(p.id, 'minutas', `(${d.number})`);
    });

    it('refuses a sobrestado process', async () => {
      const p = await newProcess(origin);
      await inWorld(origin, () => suspendProcess(p.id, origin.clerk, 'Aguardando parecer jurídico'));
      await expectRefused(p.id, 'sobrestado', 'sobrestado');
    });

    it('refuses a sigiloso process', async () => {
      const [basis] = await tenantQuery<{ id: string }>(origin.tt, "SELECT id FROM legal_bases WHERE name = 'Investigação de responsabilidade de servidor'");
      const p = await newProcess(origin, { accessLevel: 'secret', processTypeId: origin.ids.types['Processo administrativo disciplinar'], legalBasisId: basis.id, secrecyGrade: 'reservado' });
      await expectRefused(p.id, 'sigiloso', 'sigilosos não podem ser enviados');
    });

    it('refuses a document type with no espécie and no default, naming the type', async () => {
      const p = await newProcess(origin);
      const d = await inWorld(origin, () => createInternalDocument(origin.clerk, p.id, { documentTypeId: origin.docTypes['Memorando'], complement: null, accessLevel: 'public', legalBasisId: null }));
      await inWorld(origin, () => signDocument(origin.clerk, String(d.id), { signerTitleId: origin.titles.clerk, password: TEST_PASSWORD }, throttle));
      await expectRefused(p.id, 'tipos', '"Memorando"');
    });

    it('refuses a unit that does not receive from other governments, and sending to itself', async () => {
      const p = await readyProcess();
      await expectRefused(p.id, 'destino', 'não recebe processos', { ...to(), receiverUnitId: receiver.ids.units.SMS });
      await expectRefused(p.id, 'destino', 'próprio órgão', { ...to(), receiverTenantId: origin.tt.tenant.id, receiverUnitId: origin.ids.units.SEGOV });
    });

    it('refuses a process already in transit, and leaves cancelled documents behind', async () => {
      const p = await readyProcess();
      await inWorld(origin, async () => {
        const extra = await attachPdf(origin, p.id, 'Cancelado depois', { fileName: 'cancelado.pdf' });
        await tenantQuery(origin.tt, 'UPDATE documents SET seen_by_other_unit_at = now() WHERE id = $1 RETURNING id', [extra.id]);
        await cancelDocument(origin.clerk, String(extra.id), 'Juntado por engano');
      });
      const { transferId } = await send(p.id);
      const components = await platform<{ document: { title: string } }>('SELECT document FROM platform.tramita_components WHERE transfer_id = $1', [transferId]);
      expect(components).to.have.length(2);
      await expectRefused(p.id, 'transito', 'já está em trâmite externo');
      await inWorld(origin, () => cancelTransfer(transferId, origin.clerk));
    });
  });

  it('packs a large process in the worker: the origin sees the progress, the receiver sees nothing until it is ready, and a cancel stops it', async () => {
    const toWorker = { inlinePacking: { documents: 0, bytes: 0 } };
    const p = await readyProcess();
    const sent = await inWorld(origin, () => sendToOtherGovernment(p.id, origin.clerk, to(), toWorker));
    expect(sent.packing).to.equal('worker');
    expect(await stateOf(sent.transferId)).to.equal('iniciado');
    const live = await inWorld(origin, () => processTramita(origin.clerk, p.id));
    expect(live.live?.packing).to.deep.equal({ done: 0, total: 2 });
    expect((await inWorld(receiver, () => receivedTransfers(receiver.clerk))).map((l) => l.id)).to.not.include(sent.transferId);
    expect(await runPacking()).to.be.greaterThan(0);
    expect(await stateOf(sent.transferId)).to.equal('componentes_enviados');
    expect((await inWorld(origin, () => processTramita(origin.clerk, p.id))).live?.packing).to.equal(null);
    expect((await inWorld(receiver, () => receivedTransfers(receiver.clerk))).map((l) => l.id)).to.include(sent.transferId);
    const [row] = await platform<{ total_bytes: string }>('SELECT total_bytes FROM platform.tramita_transfers WHERE id = $1', [sent.transferId]);
    const [sum] = await platform<{ s: string }>('SELECT sum(size) AS s FROM platform.tramita_components WHERE transfer_id = $1', [sent.transferId]);
    expect(row.total_bytes).to.equal(sum.s);

    // Cancelled before the worker came: nothing is packed, and the origin is free at once.
    const q = await readyProcess();
    const cancelled = await inWorld(origin, () => sendToOtherGovernment(q.id, origin.clerk, to(), toWorker));
    await inWorld(origin, () => cancelTransfer(cancelled.transferId, origin.clerk));
    await runPacking();
    expect(await stateOf(cancelled.transferId)).to.equal('cancelado');
    expect(await platform('SELECT 1 FROM platform.tramita_components WHERE transfer_id = $1', [cancelled.transferId])).to.have.length(0);
  });

  it('accepts a large package in the worker: "Aceitar" is recorded once, refusing waits, and the process is created as the user who asked', async () => {
    const large = { documents: 0, bytes: 0 };
    const p = await readyProcess();
    const { transferId } = await send(p.id);
    expect((await inWorld(receiver, () => acceptOrQueue(receiver.clerk, transferId, large))).outcome).to.equal('queued');
    expect((await inWorld(receiver, () => acceptOrQueue(receiver.clerk, transferId, large))).outcome).to.equal('queued');
    expect(await stateOf(transferId)).to.equal('componentes_enviados');
    expect((await inWorld(receiver, () => packageFor(receiver.clerk, transferId))).accepting).to.not.equal(null);
    const refused = await refusalOf(() => inWorld(receiver, () => refuseTransfer(receiver.clerk, transferId, '01', null)));
    expect(refused.message).to.contain('em processamento');
    expect(await runUnpacking()).to.be.greaterThan(0);
    expect(await stateOf(transferId)).to.equal('recibo_conclusao');
    const [proc] = await tenantQuery<{ created_by_id: string; n: string }>(
      receiver.tt,
      'SELECT p.created_by_id, (SELECT count(*) FROM documents d WHERE d.process_id = p.id) AS n FROM processes p WHERE p.number = $1',
      [p.number],
    );
    expect(String(proc.created_by_id)).to.equal(receiver.clerk.userId);
    expect(Number(proc.n)).to.equal(2);
    // Run again: nothing left to do, no second process.
    await runUnpacking();
    expect(await tenantQuery(receiver.tt, 'SELECT id FROM processes WHERE number = $1', [p.number])).to.have.length(1);
  });

  it('makes the origin read-only while in transit, with the reason, and unblocks it on cancel', async () => {
    const p = await readyProcess();
    const { transferId } = await send(p.id);
    expect(await stateOf(transferId)).to.equal('componentes_enviados');
    const err = await refusalOf(() => inWorld(origin, () => concludeProcess(p.id, origin.clerk)));
    expect(err.message).to.contain('em trâmite externo para');
    const docErr = await refusalOf(() => inWorld(origin, () => createInternalDocument(origin.clerk, p.id, { documentTypeId: origin.docTypes['Despacho'], complement: null, accessLevel: 'public', legalBasisId: null })));
    expect(docErr.message).to.contain('em trâmite externo');
    await inWorld(origin, () => cancelTransfer(transferId, origin.clerk));
    expect(await stateOf(transferId)).to.equal('cancelado');
    await inWorld(origin, () => concludeProcess(p.id, origin.clerk));
    const events = await tenantQuery<{ description: string }>(origin.tt, 'SELECT description FROM process_events WHERE process_id = $1 ORDER BY id', [p.id]);
    expect(events.map((e) => e.description).join('\n')).to.contain(`cancelado (trâmite nº ${transferId})`);
  });

  it('packs every component with its SHA-256 and size and the version it carried', async () => {
    const p = await readyProcess();
    const { transferId } = await send(p.id);
    const rows = await platform<{ sha256: string; size: string; document: { version: number; contentSha256: string; especieCode: number; signatures: unknown[] } }>(
      'SELECT c.sha256, c.size, c.document FROM platform.tramita_components c WHERE c.transfer_id = $1 ORDER BY position',
      [transferId],
    );
    expect(rows).to.have.length(2);
    expect(rows[0].document.especieCode).to.equal(42);
    expect(rows[0].document.signatures).to.have.length(1);
    expect(rows[1].document.especieCode).to.equal(179);
    const [file] = await tenantQuery<{ file_sha256: string; file_size: string }>(origin.tt, 'SELECT file_sha256, file_size FROM documents WHERE id = $1', [p.pdfId]);
    expect(rows[1].sha256).to.equal(file.file_sha256);
    expect(rows[1].size).to.equal(file.file_size);
    for (const r of rows) {
      const [blob] = await platform<{ n: string }>('SELECT length(content) AS n FROM platform.tramita_blobs WHERE sha256 = $1', [r.sha256]);
      expect(String(blob.n)).to.equal(String(r.size));
    }
    await inWorld(origin, () => cancelTransfer(transferId, origin.clerk));
  });

  it('accepts: the process is created at the receiver keeping the NUP, with the documents and their hashes, and both ends hold the same receipt', async () => {
    const p = await readyProcess();
    const { transferId } = await send(p.id);
    const list = await inWorld(receiver, () => receivedTransfers(receiver.clerk));
    expect(list.map((l) => l.id)).to.include(transferId);
    const pkg = await inWorld(receiver, () => packageFor(receiver.clerk, transferId));
    expect(pkg.automaticRefusal).to.equal(null);
    expect(pkg.components.every((c) => c.present && c.hashOk)).to.equal(true);
    const out = await inWorld(receiver, () => acceptTransfer(receiver.clerk, transferId));
    expect(out.outcome).to.equal('accepted');
    if (out.outcome !== 'accepted') return;
    const [created] = await tenantQuery<{ number: string }>(receiver.tt, 'SELECT number FROM processes WHERE id = $1', [out.processId]);
    expect(created.number).to.equal(p.number);
    const docs = await tenantQuery<{ kind: string; file_sha256: string; title: string }>(receiver.tt, 'SELECT kind, file_sha256, title FROM documents WHERE process_id = $1 ORDER BY number', [out.processId]);
    const sent = await platform<{ sha256: string }>('SELECT sha256 FROM platform.tramita_components WHERE transfer_id = $1 ORDER BY position', [transferId]);
    expect(docs.map((d) => d.kind)).to.deep.equal(['external', 'external']);
    expect(docs.map((d) => d.file_sha256)).to.deep.equal(sent.map((s) => s.sha256));
    const [andamento] = await tenantQuery<{ description: string }>(receiver.tt, "SELECT description FROM process_events WHERE process_id = $1 AND kind = 'tramita.received'", [out.processId]);
    expect(andamento.description).to.match(/^Recebido de .+ \/ SEGOV/);
    expect(await stateOf(transferId)).to.equal('recibo_conclusao');
    const [atReceiver] = await tenantQuery<{ receipt_sha256: string; receipt: { hashes: string[]; nup: string } }>(receiver.tt, 'SELECT receipt, receipt_sha256 FROM tramita_receipts WHERE transfer_id = $1', [transferId]);
    const [atOrigin] = await tenantQuery<{ receipt_sha256: string; role: string }>(origin.tt, 'SELECT receipt_sha256, role FROM tramita_receipts WHERE transfer_id = $1', [transferId]);
    expect(atOrigin.role).to.equal('sent');
    expect(atOrigin.receipt_sha256).to.equal(atReceiver.receipt_sha256).and.equal(out.receiptSha256);
    expect(atReceiver.receipt.hashes).to.deep.equal(sent.map((s) => s.sha256).sort());
    expect(atReceiver.receipt.nup).to.equal(p.number);
    const [unitRow] = await tenantQuery<{ open: boolean }>(origin.tt, 'SELECT open FROM process_units WHERE process_id = $1 AND unit_id = $2', [p.id, origin.ids.units.SEGOV]);
    expect(unitRow.open).to.equal(false);
    const again = await refusalOf(() => inWorld(receiver, () => acceptTransfer(receiver.clerk, transferId)));
    expect(again.message).to.contain('não aguarda mais');
    const [{ n }] = await tenantQuery<{ n: string }>(receiver.tt, 'SELECT count(*) AS n FROM processes WHERE number = $1', [p.number]);
    expect(Number(n)).to.equal(1);
  });

  it('keeps a restricted document restricted at the receiver, with its hipótese legal matched by name; the origin side is written once', async () => {
    const p = await readyProcess();
    const [basis] = await tenantQuery<{ id: string }>(origin.tt, "SELECT id FROM legal_bases WHERE name = 'Informação pessoal'");
    await attachPdf(origin, p.id, 'Dados pessoais do requerente', { accessLevel: 'restricted', legalBasisId: basis.id, fileName: 'dados.pdf' });
    const { transferId } = await send(p.id);
    const out = await inWorld(receiver, () => acceptTransfer(receiver.clerk, transferId));
    expect(out.outcome).to.equal('accepted');
    if (out.outcome !== 'accepted') return;
    const docs = await tenantQuery<{ access_level: string; basis: string | null }>(
      receiver.tt,
      'SELECT d.access_level, lb.name AS basis FROM documents d LEFT JOIN legal_bases lb ON lb.id = d.legal_basis_id WHERE d.process_id = $1 ORDER BY d.number',
      [out.processId],
    );
    expect(docs.map((d) => d.access_level)).to.deep.equal(['public', 'public', 'restricted']);
    expect(docs[2].basis).to.equal('Informação pessoal');
    expect(await syncOrigin(transferId)).to.equal(false);
    await runTramitaJobs();
    const receipts = await tenantQuery<{ n: string }>(origin.tt, "SELECT count(*) AS n FROM process_events WHERE process_id = $1 AND kind = 'tramita.receipt'", [p.id]);
    expect(Number(receipts[0].n)).to.equal(1);
  });

  it('maps hipóteses legais in both directions: one with no national match blocks sending, naming it; mapped, it travels as the national one and lands where the receiver mapped it', async () => {
    const ctn = 'Situação Econômico-Financeira de Sujeito Passivo (Art. 198, caput, da Lei nº 5.172/1966 - CTN)';
    const p = await readyProcess();
    const [bancario] = await tenantQuery<{ id: string }>(origin.tt, "SELECT id FROM legal_bases WHERE name = 'Sigilo bancário'");
    await attachPdf(origin, p.id, 'Extrato bancário', { accessLevel: 'restricted', legalBasisId: bancario.id, fileName: 'extrato.pdf' });
    const blocked = await refusalOf(() => send(p.id));
    expect((blocked as ValidationError).fields.hipoteses).to.contain('"Sigilo bancário"');

    await inWorld(origin, () => setLegalBasisSendMapping(bancario.id, ctn));
    const [fiscal] = await tenantQuery<{ id: string }>(receiver.tt, "SELECT id FROM legal_bases WHERE name = 'Sigilo fiscal'");
    await inWorld(receiver, () => setLegalBasisReceiveMapping(ctn, fiscal.id));
    const { transferId } = await send(p.id);
    const [component] = await platform<{ document: { legalBasis: string } }>('SELECT document FROM platform.tramita_components WHERE transfer_id = $1 AND position = 3', [transferId]);
    expect(component.document.legalBasis).to.equal(ctn);
    const out = await inWorld(receiver, () => acceptTransfer(receiver.clerk, transferId));
    if (out.outcome !== 'accepted') throw new Error(`recusado: ${out.reason}`);
    const [doc] = await tenantQuery<{ access_level: string; basis: string }>(
      receiver.tt,
      "SELECT d.access_level, lb.name AS basis FROM documents d JOIN legal_bases lb ON lb.id = d.legal_basis_id WHERE d.process_id = $1 AND d.access_level = 'restricted'",
      [out.processId],
    );
    expect(doc).to.deep.equal({ access_level: 'restricted', basis: 'Sigilo fiscal' });
  });

  for (const code of ['01', '99'] as const) {
    it(`refuses with code ${code}; the origin reads the reason, gives ciência, and is unblocked`, async () => {
      const p = await readyProcess();
      const { transferId } = await send(p.id);
      if (code === '99') {
        const bad = await refusalOf(() => inWorld(receiver, () => refuseTransfer(receiver.clerk, transferId, '99', '')));
        expect((bad as ValidationError).fields.reason).to.contain('Descreva o motivo');
      }
      await inWorld(receiver, () => refuseTransfer(receiver.clerk, transferId, code, code === '99' ? 'Assunto não é da competência do Estado' : null));
      expect(await stateOf(transferId)).to.equal('recusado');
      const events = await tenantQuery<{ description: string }>(origin.tt, "SELECT description FROM process_events WHERE process_id = $1 AND kind = 'tramita.refused'", [p.id]);
      expect(events[0].description).to.contain(`${code}:`);
      await inWorld(origin, () => acknowledgeRefusal(transferId, origin.clerk));
      expect(await stateOf(transferId)).to.equal('ciencia_recusa');
      await inWorld(origin, () => concludeProcess(p.id, origin.clerk));
    });
  }

  it('refuses with 02 by itself when a byte of a component was flipped', async () => {
    const p = await readyProcess();
    const { transferId } = await send(p.id);
    const [c] = await platform<{ sha256: string }>('SELECT sha256 FROM platform.tramita_components WHERE transfer_id = $1 AND position = 2', [transferId]);
    await platform('UPDATE platform.tramita_blobs SET content = overlay(content placing decode(lpad(to_hex(get_byte(content, 10) # 1), 2, \'0\'), \'hex\') from 11 for 1) WHERE sha256 = $1 RETURNING sha256', [c.sha256]);
    const pkg = await inWorld(receiver, () => packageFor(receiver.clerk, transferId));
    expect(pkg.automaticRefusal).to.equal('02');
    const out = await inWorld(receiver, () => acceptTransfer(receiver.clerk, transferId));
    expect(out).to.include({ outcome: 'refused', code: '02' });
    const [row] = await platform<{ state: string; refusal_code: string }>('SELECT state, refusal_code FROM platform.tramita_transfers WHERE id = $1', [transferId]);
    expect(row).to.deep.equal({ state: 'recusado', refusal_code: '02' });
    const [{ n }] = await tenantQuery<{ n: string }>(receiver.tt, 'SELECT count(*) AS n FROM processes WHERE number = $1', [p.number]);
    expect(Number(n)).to.equal(0);
  });

  it('refuses with 03 by itself when a component is missing', async () => {
    const p = await readyProcess();
    const { transferId } = await send(p.id);
    const [c] = await platform<{ sha256: string }>('SELECT sha256 FROM platform.tramita_components WHERE transfer_id = $1 AND position = 1', [transferId]);
    await platform('DELETE FROM platform.tramita_blobs WHERE sha256 = $1 RETURNING sha256', [c.sha256]);
    const out = await inWorld(receiver, () => acceptTransfer(receiver.clerk, transferId));
    expect(out).to.include({ outcome: 'refused', code: '03' });
  });

  it('refuses with 04 by itself when the receiver has no type for an espécie nor a default', async () => {
    const p = await readyProcess(receiver);
    await inWorld(receiver, () => setSendMapping(receiver.docTypes['Despacho'], 42));
    await inWorld(receiver, () => setSendMapping(receiver.docTypes['Anexo'], 179));
    const { transferId } = await send(p.id, receiver, to(third));
    const out = await inWorld(third, () => acceptTransfer(third.clerk, transferId));
    expect(out).to.include({ outcome: 'refused', code: '04' });
    if (out.outcome === 'refused') expect(out.reason).to.contain('42 — Despacho');
  });

  it('lets exactly one of a cancel and an acceptance racing each other win', async () => {
    for (let round = 0; round < 3; round++) {
      const p = await readyProcess();
      const { transferId } = await send(p.id);
      const results = await Promise.allSettled([
        inWorld(receiver, () => acceptTransfer(receiver.clerk, transferId)),
        inWorld(origin, () => cancelTransfer(transferId, origin.clerk)),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won, JSON.stringify(results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok')))).to.have.length(1);
      const state = await stateOf(transferId);
      const [{ n }] = await tenantQuery<{ n: string }>(receiver.tt, 'SELECT count(*) AS n FROM processes WHERE number = $1', [p.number]);
      if (results[0].status === 'fulfilled') {
        expect(state).to.equal('recibo_conclusao');
        expect(Number(n)).to.equal(1);
      } else {
        expect(state).to.equal('cancelado');
        expect(Number(n)).to.equal(0);
      }
    }
  });

  it('cancels automatically past the deadline, tells the origin and unblocks it; bytes no live transfer needs are dropped', async () => {
    const p = await readyProcess();
    const { transferId } = await inWorld(origin, () => sendToOtherGovernment(p.id, origin.clerk, to(), { timeoutDays: 1 }));
    const later = new Date(Date.now() + 2 * 86_400_000);
    const out = await runTramitaJobs(later);
    expect(out.expired).to.be.at.least(1);
    expect(await stateOf(transferId)).to.equal('cancelado_automaticamente');
    const events = await tenantQuery<{ description: string }>(origin.tt, "SELECT description FROM process_events WHERE process_id = $1 AND kind = 'tramita.expired'", [p.id]);
    expect(events).to.have.length(1);
    await inWorld(origin, () => concludeProcess(p.id, origin.clerk));
    const late = await refusalOf(() => inWorld(receiver, () => acceptTransfer(receiver.clerk, transferId)));
    expect(late.message).to.contain('cancelado automaticamente');
    const [{ n }] = await platform<{ n: string }>(
      `SELECT count(*) AS n FROM platform.tramita_blobs b WHERE b.sha256 IN (SELECT sha256 FROM platform.tramita_components WHERE transfer_id = $1)`,
      [transferId],
    );
    expect(Number(n)).to.equal(0);
  });

  it('keeps a third tenant out: it can neither see, open, accept nor refuse a transfer by guessing its id', async () => {
    const p = await readyProcess();
    const { transferId } = await send(p.id);
    expect((await inWorld(third, () => receivedTransfers(third.clerk))).map((l) => l.id)).to.not.include(transferId);
    for (const attempt of [
      () => inWorld(third, () => packageFor(third.clerk, transferId)),
      () => inWorld(third, () => acceptTransfer(third.clerk, transferId)),
      () => inWorld(third, () => refuseTransfer(third.clerk, transferId, '01', null)),
      () => inWorld(third, () => cancelTransfer(transferId, third.clerk)),
      () => inWorld(receiver, () => packageFor(receiver.other, transferId)),
    ]) {
      const err = await refusalOf(attempt);
      expect(err.message).to.equal('Trâmite não encontrado.');
    }
    expect(await stateOf(transferId)).to.equal('componentes_enviados');
    await inWorld(origin, () => cancelTransfer(transferId, origin.clerk));
  });

  it('lists receiving units of other governments in the directory, by ente or unit name', async () => {
    const found = await inWorld(origin, () => receivingDirectory('governo'));
    expect(found.some((f) => f.tenantId === receiver.tt.tenant.id && f.unitId === receiver.ids.units.SEGOV)).to.equal(true);
    expect(found.some((f) => f.tenantId === origin.tt.tenant.id)).to.equal(false);
  });
});
