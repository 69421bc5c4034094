import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { PDFDocument } from 'pdf-lib';
import { extractPdfText } from '../../../server/documents/pdfText';
import { createExternalDocument, createInternalDocument, saveDocumentBody } from '../../../server/documents/service';
import { buildProcessPdf } from '../../../server/process-pdf/service';
import { signDocument } from '../../../server/signatures/service';
import { FailureThrottle } from '../../../server/auth/failureThrottle';
import { docWorld, inWorld, newProcess, passThrough, type DocWorld } from '../../support/documents';
import { testEnv } from '../../support/environment';
import { samplePdf, samplePng, sampleDocx } from '../../support/files';
import { $, csrfFrom } from '../../support/http';
import { tenantQuery } from '../../support/processes';
import { createTestTenant, TEST_PASSWORD } from '../../support/tenants';
import { loggedInAs } from '../../support/fixtures';

describe('Integration - process PDF', () => {
  let w: DocWorld;
  let processId: string;
  let docs: Record<string, string>;

  before(async () => {
    w = await docWorld(await createTestTenant());
    const throttle = new FailureThrottle(testEnv().sequelize, 'pdf-test', 5, 60);
    const p = await newProcess(w, { specification: 'Reforma da escola' });
    processId = p.id;
    await passThrough(w, p.id, w.other.unitId);
    const internal = async (text: string, sign: boolean) => {
      const d = await inWorld(w, () => createInternalDocument(w.clerk, p.id, { documentTypeId: w.docTypes['Despacho'], complement: null, accessLevel: 'public', legalBasisId: null }));
      await inWorld(w, () => saveDocumentBody(w.clerk, String(d.id), `<p>${text}</p>`));
      if (sign) await inWorld(w, () => signDocument(w.clerk, String(d.id), { signerTitleId: w.titles.clerk, password: TEST_PASSWORD }, throttle));
      return String(d.id);
    };
    const external = async (buffer: Buffer, name: string) =>
      String((await inWorld(w, () => createExternalDocument(w.clerk, p.id, { documentTypeId: w.docTypes['Anexo'], complement: null, documentDate: '2026-01-01', origin: 'digitalizado', sender: null, accessLevel: 'public', legalBasisId: null, file: { buffer, originalname: name } }))).id);
    docs = {
      signed: await internal('Despachoassinadoalfa', true),
      draft: await internal('Minutasecretabeta', false),
      pdf: await external(await samplePdf('Anexopdfgama'), 'anexo.pdf'),
      png: await external(await samplePng(), 'foto.png'),
      docx: await external(sampleDocx(), 'planilha.docx'),
    };
  });

  it('the author unit gets the cover and every document it may read, in order, with signature and verification blocks', async () => {
    const progress: number[] = [];
    const result = await inWorld(w, () => buildProcessPdf(testEnv().config, w.clerk, processId, (done) => progress.push(done)));
    const text = await extractPdfText(result.bytes);
    expect(text).to.contain('Reforma da escola').and.contain('Papelaria Central');
    expect(text).to.contain('Despachoassinadoalfa').and.contain('Minutasecretabeta').and.contain('Anexopdfgama');
    expect(text).to.contain('assinado eletronicamente por Servidor de Teste, Assessor Técnico');
    expect(text).to.match(/código verificador \d{10} e o código CRC [0-9A-F]{8}/);
    expect(text).to.contain('planilha.docx');
    expect(text.indexOf('Despachoassinadoalfa')).to.be.lessThan(text.indexOf('Anexopdfgama'));
    expect(progress.at(-1)).to.equal(5);
    const pdf = await PDFDocument.load(result.bytes);
    expect(pdf.getPageCount()).to.be.at.least(6);
  });

  it('prints each generated document under its letterhead: brasão, ente, the author unit and its address', async () => {
    await tenantQuery(w.tt, "UPDATE units SET address = 'Praça Nilo Peçanha, 1 — Centro' WHERE id = $1", [w.clerk.unitId]);
    // The PNG attached above is already stored: it becomes the brasão.
    const arms = createHash('sha256').update(await samplePng()).digest('hex');
    await tenantQuery(w.tt, "INSERT INTO tenant_settings (id, arms_sha256, arms_mime) VALUES (1, $1, 'image/png') ON CONFLICT (id) DO UPDATE SET arms_sha256 = EXCLUDED.arms_sha256, arms_mime = EXCLUDED.arms_mime", [arms]);
    const result = await inWorld(w, () => buildProcessPdf(testEnv().config, w.clerk, processId));
    const text = await extractPdfText(result.bytes);
    const signedAt = text.indexOf('Despachoassinadoalfa');
    const head = text.lastIndexOf('Praça Nilo Peçanha, 1 — Centro', signedAt);
    expect(head, 'o endereço da unidade antes do texto do despacho').to.be.greaterThan(-1);
    expect(text.slice(head - 200, head)).to.contain(w.tt.tenant.name).and.contain('Secretaria');
  });

  it("another unit's PDF leaves out the author's minuta", async () => {
    const result = await inWorld(w, () => buildProcessPdf(testEnv().config, w.other, processId));
    const text = await extractPdfText(result.bytes);
    expect(text).to.contain('Despachoassinadoalfa').and.contain('Anexopdfgama');
    expect(text).not.to.contain('Minutasecretabeta');
    expect(result.included).not.to.include(docs.draft);
  });

  it('generates through the progress page and downloads the PDF', async () => {
    const agent = await loggedInAs(w.tt, 'clerk');
    const page = await agent.get(`/processos/${processId}`).expect(200);
    const started = await agent.post(`/processos/${processId}/pdf`).type('form').send({ _csrf: csrfFrom(page.text) }).expect(302);
    const progressPath = started.headers.location as string;
    const first = await agent.get(progressPath).expect(200);
    expect($(first.text)('progress, [data-testid="download-pdf"]').length).to.be.greaterThan(0);
    let status = '';
    for (let i = 0; i < 100 && status !== 'finished'; i++) {
      status = (await agent.get(`${progressPath}?formato=json`).expect(200)).body.status;
      if (status !== 'finished') await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).to.equal('finished');
    const html = (await agent.get(progressPath).expect(200)).text;
    expect($(html)('[data-pdf-finished]').attr('hidden')).to.equal(undefined);
    const href = $(html)('[data-testid="download-pdf"]').attr('href')!;
    const file = await agent.get(href).buffer(true).parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => cb(null, Buffer.concat(chunks)));
    });
    expect(file.headers['content-type']).to.equal('application/pdf');
    expect((file.body as Buffer).subarray(0, 5).toString()).to.equal('%PDF-');
    const other = await loggedInAs(w.tt, 'admin');
    await other.get(href).expect(404);
  });
});
