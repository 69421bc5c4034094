import { expect } from 'chai';
import { FailureThrottle } from '../../../server/auth/failureThrottle';
import { createInternalDocument, fillTemplate, saveDocumentBody } from '../../../server/documents/service';
import { concludeProcess } from '../../../server/processes/actions';
import { signDocument } from '../../../server/signatures/service';
import { docWorld, inWorld, newProcess, type DocWorld } from '../../support/documents';
import { testEnv } from '../../support/environment';
import { $, csrfFrom, type Agent } from '../../support/http';
import { tenantQuery } from '../../support/processes';
import { createTestTenant, TEST_PASSWORD } from '../../support/tenants';
import { loggedInAs } from '../../support/fixtures';

/** What a clerk meets on a document's pages (issue 19: points 5, 6, 7, 8 and 15). */
describe('Integration - documents as a clerk sees them', () => {
  let w: DocWorld;
  let clerk: Agent;
  let throttle: FailureThrottle;
  before(async () => {
    w = await docWorld(await createTestTenant());
    clerk = await loggedInAs(w.tt, 'clerk');
    throttle = new FailureThrottle(testEnv().sequelize, `clerk-walk-${Date.now()}`, 5, 60);
  });

  const despacho = (processId: string, level: 'public' | 'restricted' = 'public', legalBasisId: string | null = null) =>
    inWorld(w, () => createInternalDocument(w.clerk, processId, { documentTypeId: w.docTypes['Despacho'], complement: 'Concessão de férias', accessLevel: level, legalBasisId }));

  it('neither offers nor opens nor saves the editor of a document whose process is concluded in the unit (one rule)', async () => {
    const p = await newProcess(w);
    const d = await despacho(p.id);
    const before = await clerk.get(`/documentos/${d.id}`).expect(200);
    expect($(before.text)(`a[href="/documentos/${d.id}/editar"]`)).to.have.length(1);
    await inWorld(w, () => concludeProcess(p.id, w.clerk));
    const page = await clerk.get(`/documentos/${d.id}`).expect(200);
    expect($(page.text)(`a[href="/documentos/${d.id}/editar"]`)).to.have.length(0);
    expect($(page.text)('[data-testid="edit-blocker"]').text()).to.contain('não está aberto na sua unidade');
    const editor = await clerk.get(`/documentos/${d.id}/editar`).expect(409);
    expect($(editor.text)('[role="alert"]').text()).to.contain('não está aberto na sua unidade');
    const res = await clerk.post(`/documentos/${d.id}/editar`).type('form').send({ _csrf: csrfFrom(page.text), body: '<p>Depois de concluído</p>' });
    expect(res.status).to.equal(409);
    const [row] = await tenantQuery<{ version: number }>(w.tt, 'SELECT version FROM documents WHERE id = $1', [d.id]);
    expect(row.version).to.equal(1);
  });

  it('gives the template\'s empty last line the editor\'s blank paragraph, so typed text does not join the line above', () => {
    expect(fillTemplate('<p>Interessado(s): {{interessados}}</p><p></p>', { interessados: 'Maria' })).to.equal('<p>Interessado(s): Maria</p><p><br></p>');
  });

  it('asks before editing a signed document, naming the signers who lose their signature, and refuses a save not confirmed', async () => {
    const p = await newProcess(w);
    const d = await despacho(p.id);
    await inWorld(w, () => signDocument(w.clerk, String(d.id), { signerTitleId: w.titles.clerk, password: TEST_PASSWORD }, throttle));
    const ask = await clerk.get(`/documentos/${d.id}/editar`).expect(200);
    const page = $(ask.text);
    expect(page('[data-testid="signers"]').text()).to.contain('Servidor de Teste, Assessor Técnico');
    expect(page('textarea#body')).to.have.length(0);
    expect(page('button').text()).to.contain('Editar e remover as assinaturas');
    const unconfirmed = await clerk.post(`/documentos/${d.id}/editar`).type('form').send({ _csrf: csrfFrom(ask.text), body: '<p>Sem confirmar</p>' });
    expect(unconfirmed.status).to.equal(409);
    const [still] = await tenantQuery<{ n: string }>(w.tt, 'SELECT count(*) AS n FROM signatures WHERE document_id = $1 AND invalidated_at IS NULL', [d.id]);
    expect(Number(still.n)).to.equal(1);
    const editor = await clerk.get(`/documentos/${d.id}/editar?remover_assinaturas=sim`).expect(200);
    expect($(editor.text)('input[name="removeSignatures"]').val()).to.equal('sim');
    const saved = await clerk.post(`/documentos/${d.id}/editar`).type('form').send({ _csrf: csrfFrom(editor.text), body: '<p>Confirmado</p>', removeSignatures: 'sim' }).expect(302);
    expect(saved.headers.location).to.equal(`/documentos/${d.id}`);
    const shown = $((await clerk.get(saved.headers.location).expect(200)).text);
    expect(shown('[data-testid="flash"]').text()).to.contain('Documento salvo. As assinaturas anteriores foram removidas porque o texto mudou: assine novamente.');
  });

  it('starts a new document at its process\'s level and legal basis, and shows the level that holds where the document\'s own differs', async () => {
    const [basis] = await tenantQuery<{ id: string }>(w.tt, "SELECT id FROM legal_bases WHERE name = 'Informação pessoal'");
    const p = await newProcess(w, { accessLevel: 'restricted', legalBasisId: String(basis.id) });
    const form = $((await clerk.get(`/processos/${p.id}/documentos/novo`).expect(200)).text);
    expect(form('input[name="accessLevel"]:checked').val()).to.equal('restricted');
    expect(form('#legalBasisId option:selected').val()).to.equal(String(basis.id));
    const external = $((await clerk.get(`/processos/${p.id}/documentos/externo/novo`).expect(200)).text);
    expect(external('input[name="accessLevel"]:checked').val()).to.equal('restricted');
    const d = await despacho(p.id, 'public');
    const page = $((await clerk.get(`/documentos/${d.id}`).expect(200)).text);
    const access = page('[data-testid="document-access"]').text();
    expect(access).to.contain('acesso Restrito').and.contain('o do processo').and.contain('incluído como Público');
  });

  it('lists a found document with its title complement and its signature date', async () => {
    const p = await newProcess(w);
    const word = `ferias${Date.now() % 100000}`;
    const d = await despacho(p.id);
    await inWorld(w, () => saveDocumentBody(w.clerk, String(d.id), `<p>Concedo as ${word} pedidas.</p>`));
    await inWorld(w, () => signDocument(w.clerk, String(d.id), { signerTitleId: w.titles.clerk, password: TEST_PASSWORD }, throttle));
    await tenantQuery(w.tt, "UPDATE signatures SET signed_at = '2026-03-04T15:06:00Z' WHERE document_id = $1 RETURNING id", [d.id]);
    const page = $((await clerk.get(`/pesquisa?q=${word}`).expect(200)).text);
    const hit = page('.search-hit').first();
    expect(hit.find('a strong').text()).to.equal('Despacho — Concessão de férias');
    expect(hit.find('[data-testid="hit-date"]').text()).to.equal('assinado em 04/03/2026 12:06');
  });
});
