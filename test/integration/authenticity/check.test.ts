import { expect } from 'chai';
import { createTestTenant, TEST_PASSWORD } from '../../support/tenants';
import { docWorld, inWorld, newProcess, type DocWorld } from '../../support/documents';
import { createInternalDocument, saveDocumentBody } from '../../../server/documents/service';
import { signDocument } from '../../../server/signatures/service';
import { FailureThrottle } from '../../../server/auth/failureThrottle';
import { testEnv } from '../../support/environment';
import { $, agentFor } from '../../support/http';
import { tenantQuery } from '../../support/processes';

async function signedOficio(w: DocWorld, body: string): Promise<{ id: string; code: string; crc: string }> {
  const p = await newProcess(w);
  const d = await inWorld(w, () => createInternalDocument(w.clerk, p.id, { documentTypeId: w.docTypes['Ofício'], complement: null, accessLevel: 'public', legalBasisId: null }));
  await inWorld(w, () => saveDocumentBody(w.clerk, String(d.id), body));
  const { crc } = await inWorld(w, () => signDocument(w.clerk, String(d.id), { signerTitleId: w.titles.clerk, password: TEST_PASSWORD }, new FailureThrottle(testEnv().sequelize, 'auth-test', 5, 60)));
  return { id: String(d.id), code: d.verificationCode, crc };
}

describe('Integration - authenticity/conferir autenticidade', () => {
  let a: DocWorld;
  let b: DocWorld;
  before(async () => {
    a = await docWorld(await createTestTenant());
    b = await docWorld(await createTestTenant());
  });

  it('shows a signed document and its signers to anyone, without login, from the QR URL', async () => {
    const doc = await signedOficio(a, '<p>Convocamos para a audiência pública.</p>');
    const res = await agentFor(a.tt.host).get(`/conferir-autenticidade?codigo=${doc.code}&crc=${doc.crc}`).expect(200);
    const html = $(res.text);
    expect(html('[data-testid="authentic"]').text()).to.contain('Documento autêntico').and.contain('Servidor de Teste, Assessor Técnico');
    expect(html('[data-testid="authentic-body"]').html()).to.equal('<p>Convocamos para a audiência pública.</p>');
  });

  it('accepts the codes typed with spaces and a lower-case CRC', async () => {
    const doc = await signedOficio(a, '<p>Texto</p>');
    const code = `${doc.code.slice(0, 5)} ${doc.code.slice(5)}`;
    await agentFor(a.tt.host).get(`/conferir-autenticidade?codigo=${encodeURIComponent(code)}&crc=${doc.crc.toLowerCase()}`).expect(200);
  });

  it('answers "documento não encontrado" for a wrong CRC', async () => {
    const doc = await signedOficio(a, '<p>Texto</p>');
    const wrong = doc.crc === 'AAAAAAAA' ? 'BBBBBBBB' : 'AAAAAAAA';
    const res = await agentFor(a.tt.host).get(`/conferir-autenticidade?codigo=${doc.code}&crc=${wrong}`).expect(404);
    expect($(res.text)('[data-testid="not-found"]').text()).to.contain('Documento não encontrado');
    expect(res.text).not.to.contain('Texto</p>');
  });

  it('never shows an unsigned document, nor one whose signatures an edit removed', async () => {
    const doc = await signedOficio(a, '<p>Primeira versão</p>');
    await inWorld(a, () => saveDocumentBody(a.clerk, doc.id, '<p>Segunda versão</p>', null, { removeSignatures: true }));
    await agentFor(a.tt.host).get(`/conferir-autenticidade?codigo=${doc.code}&crc=${doc.crc}`).expect(404);
    const p = await newProcess(a);
    const draft = await inWorld(a, () => createInternalDocument(a.clerk, p.id, { documentTypeId: a.docTypes['Despacho'], complement: null, accessLevel: 'public', legalBasisId: null }));
    await tenantQuery(a.tt, "UPDATE documents SET crc = 'ABCDEF12' WHERE id = $1 RETURNING id", [draft.id]);
    await agentFor(a.tt.host).get(`/conferir-autenticidade?codigo=${draft.verificationCode}&crc=ABCDEF12`).expect(404);
  });

  it("never shows another tenant's document on this tenant's host", async () => {
    const doc = await signedOficio(b, '<p>Documento de outro ente</p>');
    await agentFor(b.tt.host).get(`/conferir-autenticidade?codigo=${doc.code}&crc=${doc.crc}`).expect(200);
    const res = await agentFor(a.tt.host).get(`/conferir-autenticidade?codigo=${doc.code}&crc=${doc.crc}`).expect(404);
    expect(res.text).not.to.contain('Documento de outro ente');
  });

  it('confirms a restricted document without publishing its content', async () => {
    const p = await newProcess(a);
    const [basis] = await tenantQuery<{ id: string }>(a.tt, 'SELECT id FROM legal_bases ORDER BY id LIMIT 1');
    const d = await inWorld(a, () => createInternalDocument(a.clerk, p.id, { documentTypeId: a.docTypes['Despacho'], complement: null, accessLevel: 'restricted', legalBasisId: String(basis.id) }));
    await inWorld(a, () => saveDocumentBody(a.clerk, String(d.id), '<p>Dados pessoais do servidor</p>'));
    const { crc } = await inWorld(a, () => signDocument(a.clerk, String(d.id), { signerTitleId: a.titles.clerk, password: TEST_PASSWORD }, new FailureThrottle(testEnv().sequelize, 'auth-test', 5, 60)));
    const res = await agentFor(a.tt.host).get(`/conferir-autenticidade?codigo=${d.verificationCode}&crc=${crc}`).expect(200);
    expect($(res.text)('[data-testid="authentic"]').text()).to.contain('não é público');
    expect(res.text).not.to.contain('Dados pessoais do servidor');
  });

  it('for restrito and sigiloso, confirms type, number and signers only: not the complement, the process nor the cancel reason', async () => {
    const [basis] = await tenantQuery<{ id: string }>(a.tt, 'SELECT id FROM legal_bases ORDER BY id LIMIT 1');
    for (const level of ['restricted', 'secret'] as const) {
      const p = await newProcess(a, level === 'secret' ? { accessLevel: 'secret', legalBasisId: String(basis.id), secrecyGrade: 'secreto', processTypeId: a.ids.types['Processo administrativo disciplinar'] } : {});
      const d = await inWorld(a, () => createInternalDocument(a.clerk, p.id, { documentTypeId: a.docTypes['Despacho'], complement: 'Pedido de Fulana de Tal', accessLevel: level === 'secret' ? 'public' : 'restricted', legalBasisId: level === 'secret' ? null : String(basis.id) }));
      await inWorld(a, () => saveDocumentBody(a.clerk, String(d.id), '<p>Texto</p>'));
      const { crc } = await inWorld(a, () => signDocument(a.clerk, String(d.id), { signerTitleId: a.titles.clerk, password: TEST_PASSWORD }, new FailureThrottle(testEnv().sequelize, 'auth-test', 5, 60)));
      const res = await agentFor(a.tt.host).get(`/conferir-autenticidade?codigo=${d.verificationCode}&crc=${crc}`).expect(200);
      const text = $(res.text)('[data-testid="authentic"]').text();
      expect(text, level).to.contain('Documento autêntico').and.contain(`documento nº ${d.number}`).and.contain('Servidor de Teste, Assessor Técnico');
      expect(res.text, level).not.to.contain('Fulana');
      expect(res.text, level).not.to.contain(p.number);
    }
  });

  it('rate-limits failed lookups per address (429 after 20 misses), even for a right pair afterwards', async () => {
    const doc = await signedOficio(a, '<p>Texto</p>');
    const agent = agentFor(a.tt.host);
    // Every test request comes from the loopback address: start from a clean count for it.
    await testEnv().sequelize.query("DELETE FROM platform.rate_limits WHERE key LIKE 'authenticity-ip:%'");
    for (let i = 0; i < 20; i++) await agent.get(`/conferir-autenticidade?codigo=${String(1000000000 + i)}&crc=00000000`).expect(404);
    const res = await agent.get(`/conferir-autenticidade?codigo=${doc.code}&crc=${doc.crc}`).expect(429);
    expect(res.text).to.contain('Muitas consultas');
    await testEnv().sequelize.query("DELETE FROM platform.rate_limits WHERE key LIKE 'authenticity-ip:%'");
  });
});
