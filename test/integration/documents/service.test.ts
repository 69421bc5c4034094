import { expect } from 'chai';
import {
  assertNoUnsignedDrafts,
  cancelDocument,
  createInternalDocument,
  deleteDocument,
  documentTree,
  openDocument,
  restoreDocumentVersion,
  saveDocumentBody,
} from '../../../server/documents/service';
import { ConflictError, NotFoundError, PermissionDeniedError, ValidationError } from '../../../server/errors';
import { signDocument } from '../../../server/signatures/service';
import { FailureThrottle } from '../../../server/auth/failureThrottle';
import { docWorld, inWorld, newProcess, passThrough, type DocWorld } from '../../support/documents';
import { testEnv } from '../../support/environment';
import { tenantQuery } from '../../support/processes';
import { createTestTenant, TEST_PASSWORD } from '../../support/tenants';
import { numberingYear } from '../../../server/processes/numbering';

async function rejects(p: Promise<unknown>, type: new (...a: never[]) => Error): Promise<Error> {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(type);
    return err as Error;
  }
  throw new Error(`expected ${type.name}`);
}

describe('Integration - documents/service', () => {
  let w: DocWorld;
  let throttle: FailureThrottle;
  before(async () => {
    w = await docWorld(await createTestTenant());
    throttle = new FailureThrottle(testEnv().sequelize, `sign-test-${Date.now()}`, 5, 60);
  });

  it('numbers an Ofício per type, unit and year, fills the template and keeps version 1', async () => {
    const p = await newProcess(w, { specification: 'Compra de papel A4' });
    const a = await inWorld(w, () => createInternalDocument(w.clerk, p.id, { documentTypeId: w.docTypes['Ofício'], complement: null, accessLevel: 'public', legalBasisId: null }));
    const b = await inWorld(w, () => createInternalDocument(w.clerk, p.id, { documentTypeId: w.docTypes['Ofício'], complement: null, accessLevel: 'public', legalBasisId: null }));
    const year = numberingYear(); // the year in Brasília
    expect(a.title).to.match(new RegExp(`^Ofício nº 1/${year}/SEGOV$`));
    expect(b.title).to.equal(`Ofício nº 2/${year}/SEGOV`);
    expect(Number(b.number)).to.equal(Number(a.number) + 1);
    expect(a.bodyHtml).to.contain(`Referência: Processo nº ${p.number}`).and.contain('Assunto: Compra de papel A4');
    const versions = await tenantQuery<{ version: number }>(w.tt, 'SELECT version FROM document_versions WHERE document_id = $1', [a.id]);
    expect(versions.map((v) => v.version)).to.deep.equal([1]);
  });

  it('never duplicates or skips numbers under 30 concurrent creations, and never reuses one after deletion', async () => {
    const p = await newProcess(w);
    const docs = await Promise.all(
      Array.from({ length: 30 }, () => inWorld(w, () => createInternalDocument(w.clerk, p.id, { documentTypeId: w.docTypes['Memorando'], complement: null, accessLevel: 'public', legalBasisId: null }))),
    );
    const typeNumbers = docs.map((d) => d.typeNumber!).sort((x, y) => x - y);
    expect(typeNumbers).to.deep.equal(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(new Set(docs.map((d) => d.number)).size).to.equal(30);
    const last = docs.find((d) => d.typeNumber === 30)!;
    await inWorld(w, () => deleteDocument(w.clerk, String(last.id)));
    const next = await inWorld(w, () => createInternalDocument(w.clerk, p.id, { documentTypeId: w.docTypes['Memorando'], complement: null, accessLevel: 'public', legalBasisId: null }));
    expect(next.typeNumber).to.equal(31);
    expect(Number(next.number)).to.be.greaterThan(Math.max(...docs.map((d) => Number(d.number))));
  });

  it('sanitises the body on save and keeps every save as a version that can be restored', async () => {
    const p = await newProcess(w);
    const d = await inWorld(w, () => createInternalDocument(w.clerk, p.id, { documentTypeId: w.docTypes['Despacho'], complement: null, accessLevel: 'public', legalBasisId: null }));
    await inWorld(w, () => saveDocumentBody(w.clerk, String(d.id), '<p>Primeira redação</p><script>alert(1)</script><img src=x onerror=alert(1)>'));
    await inWorld(w, () => saveDocumentBody(w.clerk, String(d.id), '<p>Segunda redação</p>'));
    const r = await inWorld(w, () => restoreDocumentVersion(w.clerk, String(d.id), 2));
    expect(r.version).to.equal(4);
    const [row] = await tenantQuery<{ body_html: string; version: number }>(w.tt, 'SELECT body_html, version FROM documents WHERE id = $1', [d.id]);
    expect(row.body_html).to.equal('<p>Primeira redação</p>');
    expect(row.version).to.equal(4);
  });

  it('hides a minuta from other units: they see it exists but cannot open it', async () => {
    const p = await newProcess(w);
    await passThrough(w, p.id, w.other.unitId);
    const d = await inWorld(w, () => createInternalDocument(w.clerk, p.id, { documentTypeId: w.docTypes['Despacho'], complement: null, accessLevel: 'public', legalBasisId: null }));
    const tree = await inWorld(w, () => documentTree(w.other, p.id));
    expect(tree.find((e) => e.id === String(d.id))).to.include({ state: 'draft', readable: false });
    await rejects(inWorld(w, () => openDocument(w.other, String(d.id))), NotFoundError);
    await rejects(inWorld(w, () => saveDocumentBody(w.other, String(d.id), '<p>x</p>')), NotFoundError);
  });

  describe('Signing', () => {
    it('signs nothing with a wrong password, and blocks after 5 wrong passwords', async () => {
      const p = await newProcess(w);
      const d = await inWorld(w, () => createInternalDocument(w.clerk, p.id, { documentTypeId: w.docTypes['Despacho'], complement: null, accessLevel: 'public', legalBasisId: null }));
      const blocker = new FailureThrottle(testEnv().sequelize, `sign-block-${Date.now()}`, 5, 60);
      for (let i = 0; i < 5; i++) {
        await rejects(inWorld(w, () => signDocument(w.clerk, String(d.id), { signerTitleId: w.titles.clerk, password: 'errada' }, blocker)), ValidationError);
      }
      const err = await rejects(inWorld(w, () => signDocument(w.clerk, String(d.id), { signerTitleId: w.titles.clerk, password: TEST_PASSWORD }, blocker)), PermissionDeniedError);
      expect(err.message).to.contain('Muitas tentativas');
      const sigs = await tenantQuery(w.tt, 'SELECT 1 FROM signatures WHERE document_id = $1', [d.id]);
      expect(sigs).to.have.length(0);
    });

    it('refuses a cargo that is not the signer’s own', async () => {
      const p = await newProcess(w);
      const d = await inWorld(w, () => createInternalDocument(w.clerk, p.id, { documentTypeId: w.docTypes['Despacho'], complement: null, accessLevel: 'public', legalBasisId: null }));
      await rejects(inWorld(w, () => signDocument(w.clerk, String(d.id), { signerTitleId: w.titles.other, password: TEST_PASSWORD }, throttle)), ValidationError);
    });

    it('lets several users sign, and an edit removes the signatures with a history line', async () => {
      const p = await newProcess(w);
      await passThrough(w, p.id, w.other.unitId);
      const d = await inWorld(w, () => createInternalDocument(w.clerk, p.id, { documentTypeId: w.docTypes['Ofício'], complement: null, accessLevel: 'public', legalBasisId: null }));
      const first = await inWorld(w, () => signDocument(w.clerk, String(d.id), { signerTitleId: w.titles.clerk, password: TEST_PASSWORD }, throttle));
      await rejects(inWorld(w, () => signDocument(w.clerk, String(d.id), { signerTitleId: w.titles.clerk, password: TEST_PASSWORD }, throttle)), ConflictError);
      expect(first.crc).to.match(/^[0-9A-F]{8}$/);
      const unconfirmed = await rejects(inWorld(w, () => saveDocumentBody(w.clerk, String(d.id), '<p>Texto alterado</p>')), ConflictError);
      expect(unconfirmed.message).to.contain('assinado por Servidor de Teste');
      const res = await inWorld(w, () => saveDocumentBody(w.clerk, String(d.id), '<p>Texto alterado</p>', null, { removeSignatures: true }));
      expect(res.signaturesRemoved).to.equal(1);
      const [doc] = await tenantQuery<{ crc: string | null }>(w.tt, 'SELECT crc FROM documents WHERE id = $1', [d.id]);
      expect(doc.crc).to.equal(null);
      const events = await tenantQuery<{ description: string }>(w.tt, 'SELECT description FROM process_events WHERE process_id = $1 ORDER BY id', [p.id]);
      expect(events.map((e) => e.description).join('\n')).to.match(/Assinaturas do documento Ofício nº \d+\/\d+\/SEGOV \(\d+\) removidas pela edição: Servidor de Teste/);
      await inWorld(w, () => signDocument(w.clerk, String(d.id), { signerTitleId: w.titles.clerk, password: TEST_PASSWORD }, throttle));
      const second = await inWorld(w, () => signDocument(w.other, String(d.id), { signerTitleId: w.titles.other, password: TEST_PASSWORD }, throttle));
      const signers = await tenantQuery<{ signer_title: string }>(w.tt, 'SELECT signer_title FROM signatures WHERE document_id = $1 AND invalidated_at IS NULL ORDER BY id', [d.id]);
      expect(signers.map((s) => s.signer_title)).to.deep.equal(['Assessor Técnico', 'Secretária Municipal de Saúde']);
      expect(second.crc).not.to.equal(first.crc);
    });

    it('locks editing and deletion once a user of another unit has opened the signed document; then only cancel', async () => {
      const p = await newProcess(w);
      await passThrough(w, p.id, w.other.unitId);
      const d = await inWorld(w, () => createInternalDocument(w.clerk, p.id, { documentTypeId: w.docTypes['Despacho'], complement: null, accessLevel: 'public', legalBasisId: null }));
      await inWorld(w, () => signDocument(w.clerk, String(d.id), { signerTitleId: w.titles.clerk, password: TEST_PASSWORD }, throttle));
      await inWorld(w, () => saveDocumentBody(w.clerk, String(d.id), '<p>Ainda posso editar</p>', null, { removeSignatures: true }));
      await inWorld(w, () => signDocument(w.clerk, String(d.id), { signerTitleId: w.titles.clerk, password: TEST_PASSWORD }, throttle));
      const seen = await inWorld(w, () => openDocument(w.other, String(d.id)));
      expect(seen.bodyHtml).to.equal('<p>Ainda posso editar</p>');
      await rejects(inWorld(w, () => saveDocumentBody(w.clerk, String(d.id), '<p>Tarde demais</p>')), ConflictError);
      await rejects(inWorld(w, () => deleteDocument(w.clerk, String(d.id))), ConflictError);
      await rejects(inWorld(w, () => cancelDocument(w.clerk, String(d.id), '')), ValidationError);
      await inWorld(w, () => cancelDocument(w.clerk, String(d.id), 'Emitido por engano'));
      const tree = await inWorld(w, () => documentTree(w.clerk, p.id));
      expect(tree.find((e) => e.id === String(d.id))).to.include({ state: 'cancelled', readable: false });
    });

    it('never lets an edit land after another unit first opened the document, when both happen at once', async () => {
      const p = await newProcess(w);
      await passThrough(w, p.id, w.other.unitId);
      for (let round = 0; round < 8; round++) {
        const d = await inWorld(w, () => createInternalDocument(w.clerk, p.id, { documentTypeId: w.docTypes['Despacho'], complement: null, accessLevel: 'public', legalBasisId: null }));
        await inWorld(w, () => signDocument(w.clerk, String(d.id), { signerTitleId: w.titles.clerk, password: TEST_PASSWORD }, throttle));
        const body = `<p>Versão da rodada ${round}</p>`;
        const [save, view] = await Promise.allSettled([
          inWorld(w, () => saveDocumentBody(w.clerk, String(d.id), body, null, { removeSignatures: true })),
          inWorld(w, () => openDocument(w.other, String(d.id))),
        ]);
        const [row] = await tenantQuery<{ body_html: string; seen: boolean }>(w.tt, 'SELECT body_html, seen_by_other_unit_at IS NOT NULL AS seen FROM documents WHERE id = $1', [d.id]);
        // Exactly one wins: the view (the document is frozen, the edit refused) or the edit (its
        // signatures removed, the document is a minuta again, which another unit cannot open).
        expect([save.status, view.status], `round ${round}`).to.have.members(['fulfilled', 'rejected']);
        if (view.status === 'fulfilled') {
          expect(save.status === 'rejected' && save.reason).to.be.instanceOf(ConflictError);
          expect(row.seen).to.equal(true);
          expect(view.value.bodyHtml).to.not.equal(body);
          expect(row.body_html).to.equal(view.value.bodyHtml);
        } else {
          expect(view.reason).to.be.instanceOf(NotFoundError);
          expect(row).to.include({ seen: false, body_html: body });
        }
      }
    });
  });

  it('refuses to send a process with unsigned minutas (assertNoUnsignedDrafts), and accepts it once they are signed', async () => {
    const p = await newProcess(w);
    const d = await inWorld(w, () => createInternalDocument(w.clerk, p.id, { documentTypeId: w.docTypes['Despacho'], complement: null, accessLevel: 'public', legalBasisId: null }));
    const err = await rejects(inWorld(w, () => assertNoUnsignedDrafts(p.id)), ConflictError);
    expect(err.message).to.contain('minutas não assinadas').and.contain('Despacho');
    await inWorld(w, () => signDocument(w.clerk, String(d.id), { signerTitleId: w.titles.clerk, password: TEST_PASSWORD }, throttle));
    await inWorld(w, () => assertNoUnsignedDrafts(p.id));
  });

  it('requires a legal basis for a restricted document, and the process shows the most restrictive level', async () => {
    const p = await newProcess(w);
    await rejects(inWorld(w, () => createInternalDocument(w.clerk, p.id, { documentTypeId: w.docTypes['Despacho'], complement: null, accessLevel: 'restricted', legalBasisId: null })), ValidationError);
    const [basis] = await tenantQuery<{ id: string }>(w.tt, 'SELECT id FROM legal_bases ORDER BY id LIMIT 1');
    await inWorld(w, () => createInternalDocument(w.clerk, p.id, { documentTypeId: w.docTypes['Despacho'], complement: null, accessLevel: 'restricted', legalBasisId: String(basis.id) }));
    const { readableProcess } = await import('../../../server/processes/access');
    const { inTenant } = await import('../../../server/tenancy/context');
    const facts = await inWorld(w, () => inTenant((t) => readableProcess(t, w.clerk, p.id)));
    expect(facts.effectiveLevel).to.equal('restricted');
    await rejects(inWorld(w, () => documentTree(w.other, p.id)), PermissionDeniedError);
  });
});
