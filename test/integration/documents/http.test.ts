import { expect } from 'chai';
import { createApp } from '../../../server/app';
import { LoginThrottle } from '../../../server/auth/loginThrottle';
import { createInternalDocument } from '../../../server/documents/service';
import { sha256Hex } from '../../../server/documents/storage';
import { signDocument } from '../../../server/signatures/service';
import { FailureThrottle } from '../../../server/auth/failureThrottle';
import { docWorld, inWorld, newProcess, passThrough, type DocWorld } from '../../support/documents';
import { testEnv } from '../../support/environment';
import { samplePdf, samplePng } from '../../support/files';
import { $, csrfFrom, type Agent } from '../../support/http';
import { tenantQuery } from '../../support/processes';
import { createTestTenant, TEST_PASSWORD } from '../../support/tenants';
import { loggedInAs } from '../../support/fixtures';

async function countDocs(w: DocWorld, processId: string): Promise<number> {
  const [r] = await tenantQuery<{ n: string }>(w.tt, 'SELECT count(*) AS n FROM documents WHERE process_id = $1', [processId]);
  return Number(r.n);
}

describe('Integration - documents over HTTP', () => {
  let w: DocWorld;
  let clerk: Agent;
  before(async () => {
    w = await docWorld(await createTestTenant());
    clerk = await loggedInAs(w.tt, 'clerk');
  });

  it('creates an Ofício from its template and saves a sanitised edit as version 2', async () => {
    const p = await newProcess(w);
    const form = await clerk.get(`/processos/${p.id}/documentos/novo`).expect(200);
    expect($(form.text)('h1').text()).to.equal('Incluir documento');
    const created = await clerk
      .post(`/processos/${p.id}/documentos`)
      .type('form')
      .send({ _csrf: csrfFrom(form.text), documentTypeId: w.docTypes['Ofício'], accessLevel: 'public' })
      .expect(302);
    const editPath = created.headers.location as string;
    expect(editPath).to.match(/^\/documentos\/\d+\/editar$/);
    const editor = await clerk.get(editPath).expect(200);
    expect($(editor.text)('textarea#body').text()).to.contain(`Referência: Processo nº ${p.number}`);
    expect($(editor.text)('script[src="/static/quill/quill.js"]')).to.have.length(1);
    await clerk
      .post(editPath)
      .type('form')
      .send({ _csrf: csrfFrom(editor.text), body: '<p onclick="x()">Senhor Prefeito, solicitamos a licitação.</p><script>alert(1)</script>' })
      .expect(302);
    const id = editPath.split('/')[2];
    const page = await clerk.get(`/documentos/${id}`).expect(200);
    const body = $(page.text)('[data-testid="document-body"]').html();
    expect(body).to.equal('<p>Senhor Prefeito, solicitamos a licitação.</p>');
    const versions = await clerk.get(`/documentos/${id}/versoes`).expect(200);
    expect($(versions.text)('[data-testid="versions"] tbody tr')).to.have.length(2);
    const diff = await clerk.get(`/documentos/${id}/versoes/comparar?de=1&para=2`).expect(200);
    expect($(diff.text)('[data-testid="diff"] ins').text()).to.contain('licitação');
  });

  it('serves the Quill editor from node_modules (no CDN)', async () => {
    const res = await clerk.get('/static/quill/quill.js').expect(200);
    expect(res.text.length).to.be.greaterThan(10_000);
  });

  it('uploads a PDF, stores its SHA-256 with the record, and downloads it with its name and type', async () => {
    const p = await newProcess(w);
    const form = await clerk.get(`/processos/${p.id}/documentos/externo/novo`).expect(200);
    const pdf = await samplePdf('Contrato de fornecimento de papel');
    const res = await clerk
      .post(`/processos/${p.id}/documentos/externo`)
      .field('_csrf', csrfFrom(form.text))
      .field('documentTypeId', w.docTypes['Anexo'])
      .field('documentDate', '2026-01-15')
      .field('origin', 'digitalizado')
      .field('sender', 'Papelaria Central')
      .field('accessLevel', 'public')
      .attach('arquivo', pdf, { filename: 'contrato assinado.pdf', contentType: 'application/octet-stream' })
      .expect(302);
    const id = (res.headers.location as string).split('/')[2];
    const [row] = await tenantQuery<{ file_sha256: string; file_mime: string; content_text: string; size: string }>(
      w.tt,
      'SELECT d.file_sha256, d.file_mime, d.content_text, f.size FROM documents d JOIN file_contents f ON f.sha256 = d.file_sha256 WHERE d.id = $1',
      [id],
    );
    expect(row.file_mime).to.equal('application/pdf');
    expect(Number(row.size)).to.equal(pdf.length);
    expect(row.content_text).to.contain('Contrato de fornecimento');
    const down = await clerk.get(`/documentos/${id}/arquivo`).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(down.status).to.equal(200);
    expect(down.headers['content-type']).to.equal('application/pdf');
    expect(down.headers['content-disposition']).to.contain('contrato assinado.pdf');
    expect(Buffer.compare(down.body as Buffer, pdf)).to.equal(0);
  });

  it('refuses a file whose content is not an accepted type, whatever its name, and writes nothing', async () => {
    const p = await newProcess(w);
    const form = await clerk.get(`/processos/${p.id}/documentos/externo/novo`).expect(200);
    const res = await clerk
      .post(`/processos/${p.id}/documentos/externo`)
      .field('_csrf', csrfFrom(form.text))
      .field('documentTypeId', w.docTypes['Anexo'])
      .field('documentDate', '2026-01-15')
      .field('origin', 'nato_digital')
      .field('accessLevel', 'public')
      .attach('arquivo', Buffer.from('MZ\x90\x00 this is an executable'), { filename: 'relatorio.pdf', contentType: 'application/pdf' })
      .expect(422);
    expect($(res.text)('#arquivo-error').text()).to.contain('não é PDF');
    expect(await countDocs(w, p.id)).to.equal(0);
  });

  it('refuses a file over the configured limit with a clear message and writes nothing', async () => {
    const env = testEnv();
    const limit = 1024 * 1024;
    const small = createApp({ config: { ...env.config, UPLOAD_MAX_BYTES: limit }, sequelize: env.sequelize, registry: env.registry, loginThrottle: new LoginThrottle(env.sequelize, { perAccount: 100, perIp: 100, windowSeconds: 60 }) }, env.sessionPool);
    const agent = await loggedInAs(w.tt, 'clerk', small);
    const p = await newProcess(w);
    const form = await agent.get(`/processos/${p.id}/documentos/externo/novo`).expect(200);
    expect($(form.text)('#arquivo-hint').text()).to.contain('Tamanho máximo: 1 MB');
    const big = Buffer.concat([await samplePng(), Buffer.alloc(limit + 10)]);
    const res = await agent
      .post(`/processos/${p.id}/documentos/externo`)
      .field('_csrf', csrfFrom(form.text))
      .field('documentTypeId', w.docTypes['Anexo'])
      .field('documentDate', '2026-01-15')
      .field('origin', 'nato_digital')
      .field('accessLevel', 'public')
      .attach('arquivo', big, { filename: 'grande.png' });
    expect(res.status).to.equal(413);
    expect($(res.text)('#arquivo-error').text()).to.contain('maior que o limite de 1 MB');
    expect(await countDocs(w, p.id)).to.equal(0);
  });

  it('refuses a multipart upload without the CSRF token (403) and writes nothing', async () => {
    const p = await newProcess(w);
    const pdf = await samplePdf(`sem token ${Date.now()}`);
    await clerk
      .post(`/processos/${p.id}/documentos/externo`)
      .field('documentTypeId', w.docTypes['Anexo'])
      .field('documentDate', '2026-01-15')
      .field('origin', 'nato_digital')
      .field('accessLevel', 'public')
      .attach('arquivo', pdf, { filename: 'x.pdf' })
      .expect(403);
    expect(await countDocs(w, p.id)).to.equal(0);
    expect(await tenantQuery(w.tt, 'SELECT 1 FROM file_contents WHERE sha256 = $1', [sha256Hex(pdf)])).to.have.length(0);
  });

  it('signs through the form: a wrong password signs nothing; the right one shows signature and verification blocks', async () => {
    const p = await newProcess(w);
    const d = await inWorld(w, () => createInternalDocument(w.clerk, p.id, { documentTypeId: w.docTypes['Despacho'], complement: null, accessLevel: 'public', legalBasisId: null }));
    const form = await clerk.get(`/documentos/${d.id}/assinar`).expect(200);
    const wrong = await clerk.post(`/documentos/${d.id}/assinar`).type('form').send({ _csrf: csrfFrom(form.text), signerTitleId: w.titles.clerk, password: 'errada' }).expect(422);
    expect($(wrong.text)('#password-error').text()).to.contain('Senha incorreta');
    expect(await tenantQuery(w.tt, 'SELECT 1 FROM signatures WHERE document_id = $1', [d.id])).to.have.length(0);
    await clerk.post(`/documentos/${d.id}/assinar`).type('form').send({ _csrf: csrfFrom(form.text), signerTitleId: w.titles.clerk, password: TEST_PASSWORD }).expect(302);
    const page = await clerk.get(`/documentos/${d.id}`).expect(200);
    const html = $(page.text);
    expect(html('[data-testid="signatures"]').text()).to.match(/Servidor de Teste.*Assessor Técnico, em \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}/s);
    expect(html('[data-testid="verification-code"]').text()).to.match(/^\d{10}$/);
    expect(html('[data-testid="crc"]').text()).to.match(/^[0-9A-F]{8}$/);
    expect(html('[data-testid="verification"] img').attr('src')).to.match(/^data:image\/png;base64,/);
    expect(html('[data-testid="verification"] a').attr('href')).to.contain(`/conferir-autenticidade?codigo=${html('[data-testid="verification-code"]').text()}`);
  });

  it('shows another unit a minuta only as an entry in the tree, and a signed document in full (then the author can no longer edit)', async () => {
    const p = await newProcess(w);
    await passThrough(w, p.id, w.other.unitId);
    const draft = await inWorld(w, () => createInternalDocument(w.clerk, p.id, { documentTypeId: w.docTypes['Despacho'], complement: 'rascunho', accessLevel: 'public', legalBasisId: null }));
    const signed = await inWorld(w, () => createInternalDocument(w.clerk, p.id, { documentTypeId: w.docTypes['Despacho'], complement: 'final', accessLevel: 'public', legalBasisId: null }));
    await inWorld(w, () => signDocument(w.clerk, String(signed.id), { signerTitleId: w.titles.clerk, password: TEST_PASSWORD }, new FailureThrottle(testEnv().sequelize, 'http-test', 5, 60)));
    const other = await loggedInAs(w.tt, 'admin');
    const home = await other.get('/').expect(200);
    await other.post('/unidade-atual').type('form').send({ _csrf: csrfFrom(home.text), unitId: w.other.unitId }).expect(302);
    const list = await other.get(`/processos/${p.id}/documentos`).expect(200);
    const tree = $(list.text)('[data-testid="document-tree"]');
    expect(tree.find(`[data-document-id="${draft.id}"] a`)).to.have.length(0);
    expect(tree.find(`[data-document-id="${draft.id}"]`).text()).to.contain('Minuta');
    expect(tree.find(`[data-document-id="${signed.id}"] a`)).to.have.length(1);
    await other.get(`/documentos/${draft.id}`).expect(404);
    await other.get(`/documentos/${signed.id}`).expect(200);
    const mine = await clerk.get(`/documentos/${signed.id}`).expect(200);
    expect($(mine.text)('[data-testid="edit-blocker"]').text()).to.contain('visualizado por outra unidade');
    expect($(mine.text)('a[href$="/editar"]')).to.have.length(0);
    expect($(mine.text)('a[href$="/cancelar"]')).to.have.length(1);
  });

  it('shows the document tree and actions on the process page, and opens a document inside it', async () => {
    const p = await newProcess(w);
    const d = await inWorld(w, () => createInternalDocument(w.clerk, p.id, { documentTypeId: w.docTypes['Despacho'], complement: 'no painel', accessLevel: 'public', legalBasisId: null }));
    const page = await clerk.get(`/processos/${p.id}`).expect(200);
    const panel = $(page.text)('[data-testid="document-panel"]');
    expect(panel.find('a[href$="/documentos/novo"]').text()).to.contain('Incluir documento');
    expect(panel.find(`[data-document-id="${d.id}"]`).text()).to.contain('Despacho').and.contain('Minuta');
    const opened = await clerk.get(`/processos/${p.id}?documento=${d.id}`).expect(200);
    expect($(opened.text)('[data-testid="opened-title"]').text()).to.equal('Despacho — no painel');
    expect($(opened.text)('[data-testid="document-body"]').text()).to.contain(`Processo nº ${p.number}`);
  });

  it('shows on the process page the most restrictive level among the process and its documents', async () => {
    const p = await newProcess(w);
    const [basis] = await tenantQuery<{ id: string }>(w.tt, 'SELECT id FROM legal_bases ORDER BY id LIMIT 1');
    await inWorld(w, () => createInternalDocument(w.clerk, p.id, { documentTypeId: w.docTypes['Despacho'], complement: null, accessLevel: 'restricted', legalBasisId: String(basis.id) }));
    const page = await clerk.get(`/processos/${p.id}`).expect(200);
    expect($(page.text)('[data-testid="effective-level"]').text()).to.contain('Acesso efetivo: Restrito');
  });
});
