import crypto from 'node:crypto';
import os from 'node:os';
import { expect } from 'chai';
import request from 'supertest';
import { extractPdfText } from '../../../server/documents/pdfText';
import { sha256Hex } from '../../../server/documents/storage';
import { createTransport } from '../../../server/mail/transport';
import { OutboxWorker } from '../../../server/mail/worker';
import { testEnv } from '../../support/environment';
import { samplePdf, samplePng } from '../../support/files';
import { $, agentFor, csrfFrom } from '../../support/http';
import { clearProtocolLimits, CPFS, fileGeneralRequest, identify, linkFromOutbox, postRequestForm, serviceId, submitReviewed, tenantRows } from '../../support/protocol';
import { SmtpPeer } from '../../support/smtp';
import { createAngraAndMaranhao, createTestTenant, type TestTenant } from '../../support/tenants';

const count = async (t: TestTenant, table: string): Promise<number> => Number((await tenantRows<{ n: string }>(t, `SELECT count(*) AS n FROM tenant.${table}`))[0].n);

describe('Integration - protocol/portal (citizen filing)', () => {
  let t: TestTenant;
  let general: string;

  before(async () => {
    t = await createTestTenant();
    general = await serviceId(t);
  });
  beforeEach(clearProtocolLimits);
  after(clearProtocolLimits);

  it('lists published services with search, and a citizen of Angra never sees Maranhão\'s', async () => {
    const { angra, maranhao } = await createAngraAndMaranhao();
    await testEnv().sequelize.query(`UPDATE "${maranhao.tenant.schema}".citizen_services SET name = 'Restituição de ICMS' WHERE name = 'Requerimento geral'`);
    const angraList = $((await agentFor(angra.host).get('/protocolo').expect(200)).text);
    expect(angraList('[data-testid="service"] h3').text()).to.equal('Requerimento geral');
    const found = $((await agentFor(maranhao.host).get('/protocolo?q=icms').expect(200)).text);
    expect(found('[data-testid="service"] h3').text()).to.equal('Restituição de ICMS');
    expect($((await agentFor(maranhao.host).get('/protocolo?q=poda').expect(200)).text)('[data-testid="service"]').length).to.equal(0);
    // Ids are per schema: the same id on Angra's host is Angra's own service, never Maranhão's.
    const maranhaoService = await serviceId(maranhao, 'Restituição de ICMS');
    const same = $((await agentFor(angra.host).get(`/protocolo/servicos/${maranhaoService}`).expect(200)).text);
    expect(same('h1').text()).to.equal('Requerimento geral');
    const filed = await fileGeneralRequest(agentFor(angra.host), angra, { name: 'Cidadã de Angra', cpf: CPFS[0], email: 'cidada@angra.test' });
    const other = agentFor(maranhao.host);
    const form = await other.get('/protocolo/acompanhar').expect(200);
    await other.post('/protocolo/acompanhar').type('form').send({ _csrf: csrfFrom(form.text), numero: filed.number, codigo: filed.code }).expect(404);
  });

  it('refuses a bad identification next to each field and writes nothing', async () => {
    const agent = agentFor(t.host);
    const page = await agent.get(`/protocolo/servicos/${general}`).expect(200);
    const before = await count(t, 'citizen_identifications');
    const res = await agent.post(`/protocolo/servicos/${general}/identificacao`).type('form').send({ _csrf: csrfFrom(page.text), name: 'Zé', cpf: '123.456.789-00', email: 'nao-e-email' }).expect(422);
    const html = $(res.text);
    expect(html('#name-error').text()).to.contain('nome completo');
    expect(html('#cpf-error').text()).to.contain('CPF inválido');
    expect(html('#email-error').text()).to.contain('e-mail válido');
    expect(await count(t, 'citizen_identifications')).to.equal(before);
    await agent.get('/protocolo/servicos/abc').expect(404);
  });

  it('identifies the citizen in a new session: an id planted before identification never becomes identified (fixation)', async () => {
    const attacker = agentFor(t.host);
    const page = await attacker.get(`/protocolo/servicos/${general}`).expect(200);
    const planted = /pen\.sid=[^;]+/.exec(String(page.headers['set-cookie']))![0];
    // The victim's browser carries the planted id through identification and confirmation.
    const app = testEnv().app;
    await request(app).post(`/protocolo/servicos/${general}/identificacao`).set('Host', t.host).set('Cookie', planted).type('form')
      .send({ _csrf: csrfFrom(page.text), name: 'Vítima da Silva', cpf: CPFS[1], email: 'vitima@cidada.test' }).expect(200);
    const confirmed = await request(app).get(await linkFromOutbox('vitima@cidada.test', '/protocolo/confirmar')).set('Host', t.host).set('Cookie', planted).expect(302);
    const fresh = /pen\.sid=[^;]+/.exec(String(confirmed.headers['set-cookie']))?.[0];
    expect(fresh, 'a new session cookie').to.be.a('string').and.not.equal(planted);
    await request(app).get(`/protocolo/servicos/${general}/formulario`).set('Host', t.host).set('Cookie', fresh!).expect(200);
    // The planted id is not identified: the attacker is sent back to the identification step.
    const back = await attacker.get(`/protocolo/servicos/${general}/formulario`).expect(302);
    expect(back.headers.location).to.equal(`/protocolo/servicos/${general}#identificacao`);
  });

  it('confirms the e-mail through the real SMTP peer, files with two attachments, and answers with number, code, e-mail and PDF receipt', async () => {
    const peer = new SmtpPeer();
    await peer.start();
    const worker = new OutboxWorker(testEnv().sequelize, createTransport(peer.url, os.tmpdir()), { from: 'PEN Nuvem <nao-responda@pen.gov.br>' });
    // Other test files leave mail in the outbox: deliver batches until none is due (a batch is 20).
    const deliverAll = async (): Promise<void> => {
      while ((await worker.deliverDue()) > 0);
    };
    try {
      const agent = agentFor(t.host);
      const page = await agent.get(`/protocolo/servicos/${general}`).expect(200);
      await agent.get(`/protocolo/servicos/${general}/formulario`).expect(302);
      await agent.post(`/protocolo/servicos/${general}/identificacao`).type('form').send({ _csrf: csrfFrom(page.text), name: 'Maria da Silva Souza', cpf: '529.982.247-25', email: 'maria@cidada.test' }).expect(200);
      await deliverAll();
      const confirm = await peer.waitFor('maria@cidada.test', /^Confirme o seu e-mail/);
      const link = new URL(/http:\/\/\S+\/protocolo\/confirmar\?token=[A-Za-z0-9_-]+/.exec(confirm.text ?? '')![0]);
      expect((await agent.get(link.pathname + link.search).expect(302)).headers.location).to.equal(`/protocolo/servicos/${general}/formulario`);
      await agentFor(t.host).get(link.pathname + link.search).expect(410);

      const id = await samplePdf('RG de Maria');
      const other = await samplePng();
      await postRequestForm(agent, general, { campo_c1: 'Poda de árvore', campo_c2: 'Peço a poda.' }, [
        { field: 'anexo_a1', bytes: id, name: 'rg.pdf' },
        { field: 'anexo_a2', bytes: other, name: 'foto.png' },
      ], 302);
      const review = $((await agent.get(`/protocolo/servicos/${general}/revisao`).expect(200)).text);
      expect(review('[data-testid="answers"] dd').first().text()).to.equal('Poda de árvore');
      expect(review('[data-testid="files"]').text()).to.contain(sha256Hex(id));
      const refused = await agent.post(`/protocolo/servicos/${general}/enviar`).type('form').send({ _csrf: csrfFrom(review.html()!) }).expect(422);
      expect($(refused.text)('#declaracao-error').text()).to.contain('declaração');
      const { number, code } = await submitReviewed(agent, general);
      expect(number).to.match(/^\d{6}\/\d{4}$/);
      expect(code).to.match(/^[A-Z2-9]{4}(-[A-Z2-9]{4}){3}$/);

      const [row] = await tenantRows<{ status: string; access_code_hash: string; receipt_sha256: string }>(t, 'SELECT status, access_code_hash, receipt_sha256 FROM tenant.citizen_requests WHERE number = $1', [number]);
      expect(row.status).to.equal('received');
      expect(row.access_code_hash).to.equal(sha256Hex(code));
      expect(row.access_code_hash).not.to.contain(code);
      const stored = await tenantRows<{ sha256: string; size: string }>(t, 'SELECT f.sha256, c.size::text FROM tenant.citizen_request_files f JOIN tenant.file_contents c USING (sha256) JOIN tenant.citizen_requests r ON r.id = f.request_id WHERE r.number = $1 ORDER BY f.id', [number]);
      expect(stored).to.deep.equal([{ sha256: sha256Hex(id), size: String(id.length) }, { sha256: sha256Hex(other), size: String(other.length) }]);

      await deliverAll();
      const mail = await peer.waitFor('maria@cidada.test', /^Solicitação nº .* recebida/);
      expect(mail.text).to.contain(number).and.to.contain(code);

      const pdf = await agent.get('/protocolo/recibo.pdf').expect(200).expect('Content-Type', 'application/pdf');
      const text = await extractPdfText(pdf.body as Buffer);
      for (const expected of ['Recibo eletrônico de protocolo', t.definition.name, 'Requerimento geral', 'Maria da Silva Souza', '529.982.247-25', 'Poda de árvore', 'horário de Brasília', sha256Hex(id), sha256Hex(other), 'Declaro, sob as penas da lei']) {
        expect(text.replace(/\s+/g, ' ')).to.contain(expected);
      }
      expect(sha256Hex(pdf.body as Buffer)).to.equal(row.receipt_sha256);
    } finally {
      await worker.stop();
      await peer.stop();
    }
  });

  it('validates every field kind and the attachments by content, size and requirement, writing nothing when refused', async () => {
    const [unit] = await tenantRows<{ id: string }>(t, `SELECT id::text FROM tenant.units WHERE acronym = 'SEGOV'`);
    const [type] = await tenantRows<{ id: string }>(t, `SELECT id::text FROM tenant.process_types WHERE name = 'Alvará de funcionamento'`);
    const [svc] = await tenantRows<{ id: string }>(
      t,
      `INSERT INTO tenant.citizen_services (name, fields, attachments, receiving_unit_id, process_type_id, access_level, status)
       VALUES ('Alvará', $1, $2, $3, $4, 'public', 'published') RETURNING id::text`,
      [
        JSON.stringify([
          { key: 'c1', label: 'CNPJ', kind: 'document', required: true, options: [] },
          { key: 'c2', label: 'Início', kind: 'date', required: true, options: [] },
          { key: 'c3', label: 'Área', kind: 'number', required: false, options: [] },
          { key: 'c4', label: 'Porte', kind: 'choice', required: true, options: ['Micro', 'Pequeno'] },
          { key: 'c5', label: 'Nome fantasia', kind: 'text', required: true, options: [] },
        ]),
        JSON.stringify([
          { key: 'a1', name: 'Contrato social', types: ['pdf'], maxBytes: 2000, required: true },
          { key: 'a2', name: 'Foto', types: ['png'], maxBytes: 100_000, required: false },
        ]),
        unit.id,
        type.id,
      ],
    );
    const agent = agentFor(t.host);
    await identify(agent, svc.id, { name: 'José Pereira Lima', cpf: CPFS[1], email: 'jose@cidada.test' });
    const before = { requests: await count(t, 'citizen_requests'), files: await count(t, 'file_contents') };
    const disguised = Buffer.from('<html><body><script>alert(1)</script></body></html>');
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    const res = await postRequestForm(agent, svc.id, { campo_c1: '11.222.333/0001-00', campo_c2: '2026-02-30', campo_c3: '12.5.5', campo_c4: 'Grande', campo_c5: '' }, [
      { field: 'anexo_a1', bytes: disguised, name: 'contrato.pdf' },
      { field: 'anexo_a2', bytes: svg, name: 'foto.png' },
    ], 422);
    const html = $(res.text);
    expect(html('#campo_c1-error').text()).to.contain('CNPJ inválido');
    expect(html('#campo_c2-error').text()).to.contain('data válida');
    expect(html('#campo_c3-error').text()).to.contain('número');
    expect(html('#campo_c4-error').text()).to.contain('opções');
    expect(html('#campo_c5-error').text()).to.contain('Preencha');
    expect(html('#anexo_a1-error').text()).to.contain('tipo aceito');
    expect(html('#anexo_a2-error').text()).to.contain('tipo aceito');
    const big = await postRequestForm(agent, svc.id, { campo_c1: '11.222.333/0001-81', campo_c2: '2026-02-28', campo_c4: 'Micro', campo_c5: 'Padaria' }, [{ field: 'anexo_a1', bytes: await samplePdf(crypto.randomBytes(3000).toString('hex')), name: 'contrato.pdf' }], 422);
    expect($(big.text)('#anexo_a1-error').text()).to.contain('maior que o limite');
    const missing = await postRequestForm(agent, svc.id, { campo_c1: '11.222.333/0001-81', campo_c2: '2026-02-28', campo_c4: 'Micro', campo_c5: 'Padaria' }, [], 422);
    expect($(missing.text)('#anexo_a1-error').text()).to.contain('Anexe');
    expect($(missing.text)('#campo_c5').val()).to.equal('Padaria');
    expect({ requests: await count(t, 'citizen_requests'), files: await count(t, 'file_contents') }).to.deep.equal(before);
  });

  it('counts confirmation e-mails and submissions per e-mail and per IP', async () => {
    const agent = agentFor(t.host);
    const page = await agent.get(`/protocolo/servicos/${general}`).expect(200);
    const ask = () => agent.post(`/protocolo/servicos/${general}/identificacao`).type('form').send({ _csrf: csrfFrom(page.text), name: 'Ana Limite Souza', cpf: CPFS[2], email: 'limite@cidada.test' });
    for (let i = 0; i < 6; i++) await ask().expect(200);
    const before = await count(t, 'citizen_identifications');
    const blocked = await ask().expect(429);
    expect($(blocked.text)('#error-summary').text()).to.contain('Aguarde uma hora');
    expect(await count(t, 'citizen_identifications')).to.equal(before);
  });

  it('follows a request by number and code or by the e-mailed link, says the same for an unknown number and a wrong code, and limits failures', async () => {
    const filer = agentFor(t.host);
    const { number, code } = await fileGeneralRequest(filer, t, { name: 'Carlos Andrade Lima', cpf: CPFS[0], email: 'carlos@cidada.test' });
    const stranger = agentFor(t.host);
    await stranger.get('/protocolo/acompanhar/solicitacao').expect(302);
    await stranger.get('/protocolo/acompanhar/recibo.pdf').expect(404);
    const form = await stranger.get('/protocolo/acompanhar').expect(200);
    const wrong = await stranger.post('/protocolo/acompanhar').type('form').send({ _csrf: csrfFrom(form.text), numero: number, codigo: 'AAAA-BBBB-CCCC-DDDD' }).expect(404);
    const unknown = await stranger.post('/protocolo/acompanhar').type('form').send({ _csrf: csrfFrom(form.text), numero: '999999/2026', codigo: code }).expect(404);
    expect($(wrong.text)('#error-summary').text()).to.equal($(unknown.text)('#error-summary').text());
    const empty = await stranger.post('/protocolo/acompanhar').type('form').send({ _csrf: csrfFrom(form.text), numero: '', codigo: '' }).expect(422);
    expect($(empty.text)('#numero-error').text()).to.contain('número');

    const typed = await stranger.post('/protocolo/acompanhar').type('form').send({ _csrf: csrfFrom(form.text), numero: number.replace(/^0+/, ''), codigo: code.toLowerCase().replaceAll('-', ' ') }).expect(303);
    expect(typed.headers.location).to.equal('/protocolo/acompanhar/solicitacao');
    const status = $((await stranger.get('/protocolo/acompanhar/solicitacao').expect(200)).text);
    expect(status('[data-testid="request-status"]').text()).to.contain('Recebida');
    expect(status('[data-testid="history"] tbody').text()).to.contain('Solicitação recebida');
    await stranger.get('/protocolo/acompanhar/recibo.pdf').expect(200);

    const link = agentFor(t.host);
    const mailed = await linkFromOutbox('carlos@cidada.test', '/protocolo/acompanhar');
    expect((await link.get(mailed).expect(303)).headers.location).to.equal('/protocolo/acompanhar/solicitacao');

    const guesser = agentFor(t.host);
    const gform = await guesser.get('/protocolo/acompanhar').expect(200);
    for (let i = 0; i < 18; i++) await guesser.post('/protocolo/acompanhar').type('form').send({ _csrf: csrfFrom(gform.text), numero: number, codigo: `AAAA-BBBB-CCCC-${String(i).padStart(4, 'A')}` }).expect(404);
    const blocked = await guesser.post('/protocolo/acompanhar').type('form').send({ _csrf: csrfFrom(gform.text), numero: number, codigo: code }).expect(429);
    expect($(blocked.text)('#error-summary').text()).to.contain('Muitas tentativas');
  });
});
