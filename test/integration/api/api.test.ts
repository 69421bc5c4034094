import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { createApp } from '../../../server/app';
import { LoginThrottle } from '../../../server/auth/loginThrottle';
import { ALL_SCOPES, apiClient, apiKeyFor, expectContract } from '../../support/api';
import { testEnv } from '../../support/environment';
import { samplePdf } from '../../support/files';
import { $, agentFor, postForm } from '../../support/http';
import { createProcessAs, idsOf, processInput, tenantQuery, type TenantIds } from '../../support/processes';
import { createViaHttp, loggedIn, processTenant } from '../../support/processes-http';
import { createAngraAndMaranhao, type TestTenant } from '../../support/tenants';

/**
 * The integration API (issue 17): keys, their scopes and hosts, the operations through the
 * processes' and documents' own services, access as a user of the key's unit, problem details,
 * idempotency. Every response is checked against the OpenAPI contract (test/support/api.ts).
 */
describe('Integration - api/integration API', function () {
  this.timeout(60_000);
  let t: TestTenant;
  let ids: TenantIds;
  let token: string;
  let api: ReturnType<typeof apiClient>;
  const count = async (table: string) => Number((await tenantQuery<{ n: string }>(t, `SELECT count(*) AS n FROM ${table}`))[0].n);
  const newProcessBody = (overrides: Record<string, unknown> = {}) => ({
    tipoProcessoId: ids.types['Licitação: pregão eletrônico'],
    especificacao: 'Alvará de funcionamento — Padaria Pão Quente',
    interessados: [{ nome: 'Padaria Pão Quente Ltda', documento: '11.222.333/0001-81' }],
    nivelAcesso: 'publico',
    ...overrides,
  });

  before(async () => {
    t = await processTenant();
    ids = await idsOf(t);
    token = await apiKeyFor(t, 'SEGOV', ALL_SCOPES);
    api = apiClient(t.host, token);
  });

  describe('creating a process', () => {
    it('201 with the NUP, numbered like the screens, in the key unit, by the key (andamento names the system)', async () => {
      const res = await api.postJson('createProcess', '/api/v1/processos', newProcessBody());
      expect(res.status).to.equal(201);
      expect(res.body.nup).to.match(/^10001\.[0-9]{6}\/20[0-9]{2}-[0-9]{2}$/);
      const [row] = await tenantQuery<{ origin: string; creator: string; event_user: string }>(
        t,
        `SELECT un.acronym AS origin, u.name AS creator, eu.name AS event_user FROM processes p JOIN units un ON un.id = p.origin_unit_id
           JOIN users u ON u.id = p.created_by_id JOIN process_events e ON e.process_id = p.id AND e.kind = 'created' JOIN users eu ON eu.id = e.user_id
          WHERE p.number = $1`,
        [res.body.nup],
      );
      expect(row).to.deep.equal({ origin: 'SEGOV', creator: 'Sistema de Tributos (integração)', event_user: 'Sistema de Tributos (integração)' });
      // The next number from the screens follows it: one sequence.
      const clerk = await loggedIn(t, 'servidor');
      const byScreen = await createViaHttp(clerk);
      const seq = (nup: string) => Number(nup.split('.')[1].split('/')[0]);
      expect(seq(byScreen.number)).to.equal(seq(res.body.nup) + 1);
    });

    it('refuses fields that do not fit the contract with 400 and a pointer per field, writing nothing', async () => {
      const before = await count('processes');
      const res = await api.postJson('createProcess', '/api/v1/processos', { tipoProcessoId: 'x', especificacao: 42, interessados: [], nivelAcesso: 'aberto' });
      expect(res.status).to.equal(400);
      const pointers = (res.body.errors as { pointer: string }[]).map((e) => e.pointer);
      expect(pointers).to.include.members(['#/tipoProcessoId', '#/especificacao', '#/interessados', '#/nivelAcesso']);
      expect(res.body.detail).to.contain('Requisição inválida');
      expect(await count('processes')).to.equal(before);
    });

    it("refuses what the process rules refuse with 422, in Portuguese, pointing at the field (restrito without hipótese legal, bad CNPJ)", async () => {
      const res = await api.postJson('createProcess', '/api/v1/processos', newProcessBody({ nivelAcesso: 'restrito', interessados: [{ nome: 'Fulano', documento: '11.111.111/1111-11' }] }));
      expect(res.status).to.equal(422);
      const errors = Object.fromEntries((res.body.errors as { pointer: string; detail: string }[]).map((e) => [e.pointer, e.detail]));
      expect(errors['#/hipoteseLegalId']).to.contain('hipótese legal');
      expect(errors).to.have.property('#/interessados/0/documento');
    });

    it('a body that is not JSON: 415; malformed JSON: 400 — both problem+json', async () => {
      const form = await api.request('post', '/api/v1/processos').type('form').send({ especificacao: 'x' });
      expect(form.status).to.equal(415);
      expect(form.headers['content-type']).to.match(/^application\/problem\+json/);
      const broken = await api.request('post', '/api/v1/processos').set('Content-Type', 'application/json').send('{"especificacao": ');
      expect(broken.status).to.equal(400);
      expect(broken.body.detail).to.equal('O corpo não é um JSON válido.');
    });

    it('Idempotency-Key: a retried create returns the same process, never a second number; another body with the key is 409', async () => {
      const before = await count('processes');
      const headers = { 'Idempotency-Key': `criar-${Date.now()}` };
      const first = await api.postJson('createProcess', '/api/v1/processos', newProcessBody(), headers);
      const again = await api.postJson('createProcess', '/api/v1/processos', newProcessBody(), headers);
      expect(first.status).to.equal(201);
      expect(again.status).to.equal(201);
      expect(again.body).to.deep.equal(first.body);
      expect(again.headers['idempotent-replayed']).to.equal('true');
      expect(await count('processes')).to.equal(before + 1);
      const other = await api.postJson('createProcess', '/api/v1/processos', newProcessBody({ especificacao: 'Outra coisa' }), headers);
      expect(other.status).to.equal(409);
      expect(await count('processes')).to.equal(before + 1);
    });

    it('Idempotency-Key: two concurrent identical creates make one process', async () => {
      const before = await count('processes');
      const headers = { 'Idempotency-Key': `simultaneo-${Date.now()}` };
      const [a, b] = await Promise.all([1, 2].map(() => api.postJson('createProcess', '/api/v1/processos', newProcessBody(), headers)));
      expect(a.body.nup).to.equal(b.body.nup);
      expect(await count('processes')).to.equal(before + 1);
      const [stored] = await tenantQuery<{ n: string }>(t, 'SELECT count(*) AS n FROM api_idempotency_keys WHERE key = $1', [headers['Idempotency-Key']]);
      expect(stored.n).to.equal('1');
    });

    it('a refused create stores no idempotency key: the same key can be used once the body is fixed', async () => {
      const headers = { 'Idempotency-Key': `corrigir-${Date.now()}` };
      expect((await api.postJson('createProcess', '/api/v1/processos', newProcessBody({ especificacao: '' }), headers)).status).to.equal(422);
      expect((await api.postJson('createProcess', '/api/v1/processos', newProcessBody(), headers)).status).to.equal(201);
    });
  });

  describe('reading a process by NUP', () => {
    it('metadata, interessados, andamentos and documents, with or without punctuation', async () => {
      const created = await api.postJson('createProcess', '/api/v1/processos', newProcessBody());
      for (const nup of [created.body.nup, created.body.nup.replace(/\D/g, '')]) {
        const res = await api.get('readProcess', `/api/v1/processos/${encodeURIComponent(nup)}`);
        expect(res.status).to.equal(200);
        expect(res.body.nup).to.equal(created.body.nup);
        expect(res.body.especificacao).to.equal('Alvará de funcionamento — Padaria Pão Quente');
        expect(res.body.interessados).to.deep.equal([{ nome: 'Padaria Pão Quente Ltda', documento: '11.222.333/0001-81' }]);
        expect(res.body.andamentos[0].descricao).to.contain('Processo gerado');
        expect(res.body.andamentos[0].usuario).to.equal('Sistema de Tributos (integração)');
        expect(res.body.acessoRestrito).to.equal(false);
      }
      expect((await api.get('readProcess', '/api/v1/processos/99999999999999999')).status).to.equal(404);
      expect((await api.get('readProcess', '/api/v1/processos/abc')).status).to.equal(404);
    });

    it('as a user of the key unit: a restrito process of another unit is found by number only; a sigiloso one is not found', async () => {
      const sms = { userId: ids.users[`sofia@${t.definition.slug}.test`], unitId: ids.units.SMS };
      const [basis] = await tenantQuery<{ id: string }>(t, 'SELECT id::text AS id FROM legal_bases WHERE active ORDER BY id LIMIT 1');
      const restricted = await createProcessAs(t, sms, processInput(ids, { accessLevel: 'restricted', legalBasisId: basis.id, specification: 'Prontuário canário', parties: [{ name: 'Paciente Canário' }] }));
      const secret = await createProcessAs(t, sms, processInput(ids, { processTypeId: ids.types['Processo administrativo disciplinar'], accessLevel: 'secret', legalBasisId: basis.id, secrecyGrade: 'secreto', parties: [{ name: 'Servidor Canário' }] }));
      const r = await api.get('readProcess', `/api/v1/processos/${restricted.number.replace(/\D/g, '')}`);
      expect(r.status).to.equal(200);
      expect(r.body.acessoRestrito).to.equal(true);
      expect(r.body.especificacao).to.equal(null);
      expect(r.body.interessados).to.deep.equal([]);
      expect(r.body.andamentos).to.deep.equal([]);
      expect(r.body.documentos).to.deep.equal([]);
      expect(r.text).to.not.contain('Canário');
      const s = await api.get('readProcess', `/api/v1/processos/${secret.number.replace(/\D/g, '')}`);
      expect(s.status).to.equal(404);
      expect(s.text).to.not.contain(secret.number);
    });

    it('a sigiloso process the key created is read (the creator gets a credential, as on the screens)', async () => {
      const [basis] = await tenantQuery<{ id: string }>(t, 'SELECT id::text AS id FROM legal_bases WHERE active ORDER BY id LIMIT 1');
      const created = await api.postJson('createProcess', '/api/v1/processos', newProcessBody({ tipoProcessoId: ids.types['Processo administrativo disciplinar'], nivelAcesso: 'sigiloso', hipoteseLegalId: basis.id, grauSigilo: 'secreto' }));
      expect(created.status).to.equal(201);
      const res = await api.get('readProcess', `/api/v1/processos/${created.body.nup.replace(/\D/g, '')}`);
      expect(res.status).to.equal(200);
      expect(res.body.nivelAcesso).to.equal('sigiloso');
      expect(res.body.acessoRestrito).to.equal(false);
      // A user of the same unit without a credential does not find it.
      const clerk = await loggedIn(t, 'colega');
      expect((await clerk.get(`/processos/numero?numero=${encodeURIComponent(created.body.nup)}`)).status).to.equal(404);
    });
  });

  describe('the unit inbox', () => {
    it('pages the Gerados list by cursor, newest first, without repeating or skipping', async () => {
      const key = await apiKeyFor(t, 'SEAD', ['processos:ler', 'processos:criar'], 'Sistema de Folha');
      const sead = apiClient(t.host, key);
      const made: string[] = [];
      for (let i = 0; i < 5; i += 1) made.push((await sead.postJson('createProcess', '/api/v1/processos', newProcessBody({ especificacao: `Folha ${i}` }))).body.nup);
      const seen: string[] = [];
      let next: string | null = null;
      let pages = 0;
      do {
        const res = await sead.get('inbox', `/api/v1/caixa?lista=gerados&limite=2${next ? `&depois=${next}` : ''}`);
        expect(res.status).to.equal(200);
        expect(res.body.total).to.equal(5);
        seen.push(...res.body.itens.map((i: { nup: string }) => i.nup));
        next = res.body.proxima;
        pages += 1;
      } while (next && pages < 10);
      expect(pages).to.equal(3);
      expect(seen).to.deep.equal([...made].reverse());
      const received = await sead.get('inbox', '/api/v1/caixa');
      expect(received.body).to.include({ lista: 'recebidos', total: 0 });
      expect((await sead.get('inbox', '/api/v1/caixa?limite=0')).status).to.equal(400);
      expect((await sead.get('inbox', '/api/v1/caixa?lista=todos')).status).to.equal(400);
      expect((await sead.get('inbox', '/api/v1/caixa?depois=!!')).status).to.equal(400);
    });
  });

  describe('documents', () => {
    it('files an external PDF (multipart), lists it on the process and downloads the same bytes', async () => {
      const created = await api.postJson('createProcess', '/api/v1/processos', newProcessBody());
      const digits = created.body.nup.replace(/\D/g, '');
      const [docType] = await tenantQuery<{ id: string }>(t, "SELECT id::text AS id FROM document_types WHERE active AND usage IN ('external', 'both') ORDER BY id LIMIT 1");
      const pdf = await samplePdf('Requerimento de alvará');
      const res = await api
        .request('post', `/api/v1/processos/${digits}/documentos`)
        .field('tipoDocumentoId', docType.id)
        .field('dataDocumento', '2026-11-30')
        .field('origem', 'nato_digital')
        .field('nivelAcesso', 'publico')
        .attach('arquivo', pdf, 'requerimento.pdf');
      expectContract('fileDocument', res);
      expect(res.status, res.text).to.equal(201);
      expect(res.body.sha256).to.equal(createHash('sha256').update(pdf).digest('hex'));
      const process = await api.get('readProcess', `/api/v1/processos/${digits}`);
      expect(process.body.documentos).to.have.length(1);
      expect(process.body.documentos[0]).to.include({ natureza: 'externo', situacao: 'externo', arquivo: res.body.arquivo });
      const file = await api.getBinary('downloadDocument', res.body.arquivo);
      expect(file.status).to.equal(200);
      expect(file.headers['content-type']).to.equal('application/pdf');
      expect(Buffer.compare(file.body as Buffer, pdf)).to.equal(0);
    });

    it('Idempotency-Key on an upload: the retry returns the same document, filed once; another file with the key is 409', async () => {
      const created = await api.postJson('createProcess', '/api/v1/processos', newProcessBody());
      const digits = created.body.nup.replace(/\D/g, '');
      const [docType] = await tenantQuery<{ id: string }>(t, "SELECT id::text AS id FROM document_types WHERE active AND usage IN ('external', 'both') ORDER BY id LIMIT 1");
      const upload = (file: Buffer) =>
        api
          .request('post', `/api/v1/processos/${digits}/documentos`)
          .set('Idempotency-Key', `upload-${digits}`)
          .field('tipoDocumentoId', docType.id)
          .field('dataDocumento', '2026-11-30')
          .field('origem', 'nato_digital')
          .field('nivelAcesso', 'publico')
          .attach('arquivo', file, 'requerimento.pdf');
      const pdf = await samplePdf('Uma vez só');
      const first = await upload(pdf);
      const again = await upload(pdf);
      expectContract('fileDocument', first);
      expectContract('fileDocument', again);
      expect(again.body).to.deep.equal(first.body);
      const [{ n }] = await tenantQuery<{ n: string }>(t, 'SELECT count(*) AS n FROM documents d JOIN processes p ON p.id = d.process_id WHERE p.number = $1', [created.body.nup]);
      expect(n).to.equal('1');
      const other = await upload(await samplePdf('Outro arquivo'));
      expectContract('fileDocument', other);
      expect(other.status).to.equal(409);
    });

    it('refuses a file whose content is not an accepted type (422 at #/arquivo), a missing file and a JSON body', async () => {
      const created = await api.postJson('createProcess', '/api/v1/processos', newProcessBody());
      const digits = created.body.nup.replace(/\D/g, '');
      const [docType] = await tenantQuery<{ id: string }>(t, "SELECT id::text AS id FROM document_types WHERE active AND usage IN ('external', 'both') ORDER BY id LIMIT 1");
      const before = await count('documents');
      const send = (file?: Buffer) => {
        const r = api.request('post', `/api/v1/processos/${digits}/documentos`).field('tipoDocumentoId', docType.id).field('dataDocumento', '2026-11-30').field('origem', 'digitalizado').field('nivelAcesso', 'publico');
        return file ? r.attach('arquivo', file, 'falso.pdf') : r;
      };
      const fake = await send(Buffer.from('isto não é um PDF'));
      expectContract('fileDocument', fake);
      expect(fake.status).to.equal(422);
      expect(fake.body.errors[0].pointer).to.equal('#/arquivo');
      const none = await send();
      expectContract('fileDocument', none);
      expect(none.status).to.equal(422);
      const json = await api.request('post', `/api/v1/processos/${digits}/documentos`).send({ tipoDocumentoId: docType.id });
      expectContract('fileDocument', json);
      expect(json.status).to.equal(415);
      const badDate = await send(await samplePdf('x')).field('x', 'y');
      expectContract('fileDocument', badDate);
      expect(badDate.status).to.equal(400);
      expect(await count('documents')).to.equal(before);
    });
  });

  describe('a document from a template', () => {
    it('generates a minuta of the type, its template filled by the system and by the fields sent (escaped)', async () => {
      const created = await api.postJson('createProcess', '/api/v1/processos', newProcessBody());
      const digits = created.body.nup.replace(/\D/g, '');
      const [memo] = await tenantQuery<{ id: string }>(t, "SELECT id::text AS id FROM document_types WHERE name = 'Memorando'");
      const res = await api.postJson('draftDocument', `/api/v1/processos/${digits}/documentos/gerados`, {
        tipoDocumentoId: memo.id,
        nivelAcesso: 'publico',
        campos: { destino: 'Secretaria de Saúde <b>já</b>', especificacao: 'não substitui a do sistema' },
      });
      expect(res.status, res.text).to.equal(201);
      expect(res.body.titulo).to.match(/^Memorando nº 1\/20[0-9]{2}\/SEGOV$/);
      const [doc] = await tenantQuery<{ body_html: string; created_by: string }>(t, 'SELECT d.body_html, u.name AS created_by FROM documents d JOIN users u ON u.id = d.created_by WHERE d.id = $1', [res.body.id]);
      expect(doc.body_html).to.contain('Ao(À) Secretaria de Saúde &lt;b&gt;já&lt;/b&gt;');
      expect(doc.body_html).to.contain('Alvará de funcionamento — Padaria Pão Quente');
      expect(doc.created_by).to.equal('Sistema de Tributos (integração)');
      const process = await api.get('readProcess', `/api/v1/processos/${digits}`);
      expect(process.body.documentos[0]).to.include({ natureza: 'gerado', situacao: 'minuta', arquivo: null });
    });

    it('refuses an external-only type (422 at #/tipoDocumentoId), bad field names (400) and prototype keys without a 500', async () => {
      const created = await api.postJson('createProcess', '/api/v1/processos', newProcessBody());
      const digits = created.body.nup.replace(/\D/g, '');
      const [external] = await tenantQuery<{ id: string }>(t, "SELECT id::text AS id FROM document_types WHERE usage = 'external' LIMIT 1");
      const [memo] = await tenantQuery<{ id: string }>(t, "SELECT id::text AS id FROM document_types WHERE name = 'Memorando'");
      const wrong = await api.postJson('draftDocument', `/api/v1/processos/${digits}/documentos/gerados`, { tipoDocumentoId: external.id, nivelAcesso: 'publico' });
      expect(wrong.status).to.equal(422);
      expect(wrong.body.errors[0].pointer).to.equal('#/tipoDocumentoId');
      const badName = await api.postJson('draftDocument', `/api/v1/processos/${digits}/documentos/gerados`, { tipoDocumentoId: memo.id, nivelAcesso: 'publico', campos: { 'Não Vale': 'x' } });
      expect(badName.status).to.equal(400);
      const proto = await api.request('post', `/api/v1/processos/${digits}/documentos/gerados`).set('Content-Type', 'application/json').send('{"tipoDocumentoId":"' + memo.id + '","nivelAcesso":"publico","campos":{"__proto__":"x","constructor":"y"}}');
      expect(proto.status).to.be.oneOf([201, 400]);
    });
  });

  describe('sending a process', () => {
    it('sends it to another unit (the send service: open and unread there, concluded here)', async () => {
      const created = await api.postJson('createProcess', '/api/v1/processos', newProcessBody());
      const digits = created.body.nup.replace(/\D/g, '');
      const res = await api.postJson('sendProcess', `/api/v1/processos/${digits}/envios`, { unidades: [ids.units.SMS] });
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({ nup: created.body.nup, unidades: ['SMS'] });
      const rows = await tenantQuery<{ acronym: string; open: boolean; unread: boolean }>(
        t,
        'SELECT un.acronym, pu.open, pu.unread FROM process_units pu JOIN units un ON un.id = pu.unit_id JOIN processes p ON p.id = pu.process_id WHERE p.number = $1 ORDER BY un.acronym',
        [created.body.nup],
      );
      expect(rows).to.deep.equal([
        { acronym: 'SEGOV', open: false, unread: false },
        { acronym: 'SMS', open: true, unread: true },
      ]);
      // Now closed in SEGOV: sending again is refused by the process rules.
      const again = await api.postJson('sendProcess', `/api/v1/processos/${digits}/envios`, { unidades: [ids.units.SEAD] });
      expect(again.status).to.be.oneOf([403, 409, 422]);
    });

    it('refuses an unknown unit and the key unit itself (422 at #/unidades), and a past retorno programado', async () => {
      const created = await api.postJson('createProcess', '/api/v1/processos', newProcessBody());
      const digits = created.body.nup.replace(/\D/g, '');
      for (const body of [{ unidades: ['999999'] }, { unidades: [ids.units.SEGOV] }, { unidades: [ids.units.SMS], retornoProgramado: '2020-01-01' }]) {
        const res = await api.postJson('sendProcess', `/api/v1/processos/${digits}/envios`, body);
        expect(res.status, JSON.stringify(body)).to.equal(422);
        expect(res.body.errors[0].pointer).to.be.oneOf(['#/unidades', '#/retornoProgramado']);
      }
      expect((await api.postJson('sendProcess', `/api/v1/processos/${digits}/envios`, { unidades: [ids.units.SMS], retornoProgramado: '2026-02-30' })).status).to.equal(400);
    });
  });

  describe('keys: authentication, scopes, hosts, audit, revocation, rate limit', () => {
    it('no key, a malformed or unknown key: 401 with WWW-Authenticate, as problem+json', async () => {
      for (const header of [null, 'Bearer', 'Basic abc', `Bearer ${token.slice(0, -1)}x`, 'Bearer pen_0000000000000000_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa']) {
        const r = agentFor(t.host).get('/api/v1/caixa');
        const res = await (header ? r.set('Authorization', header) : r);
        expect(res.status, String(header)).to.equal(401);
        expect(res.headers['www-authenticate']).to.contain('Bearer');
        expect(res.headers['content-type']).to.match(/^application\/problem\+json/);
      }
    });

    it('a logged-in browser (cookie only) is 401 on every operation: cookies never authenticate /api/v1/', async () => {
      const admin = await loggedIn(t, 'admin');
      expect((await admin.get('/api/v1/caixa')).status).to.equal(401);
      const page = await admin.get('/processos/novo');
      const csrf = $(page.text)('input[name="_csrf"]').val() as string;
      const before = await count('processes');
      const res = await admin.post('/api/v1/processos').set('x-csrf-token', csrf).send(newProcessBody());
      expect(res.status).to.equal(401);
      expect(await count('processes')).to.equal(before);
    });

    it("a key of Angra on Maranhão's host is 401 (and works on Angra's)", async () => {
      const { angra, maranhao } = await createAngraAndMaranhao();
      const angraKey = await apiKeyFor(angra, 'SEGOV', ['processos:ler']);
      expect((await apiClient(angra.host, angraKey).get('inbox', '/api/v1/caixa')).status).to.equal(200);
      expect((await apiClient(maranhao.host, angraKey).get('inbox', '/api/v1/caixa')).status).to.equal(401);
      // And the platform host has no API.
      expect((await agentFor(testEnv().config.APP_DOMAIN).get('/api/v1/caixa').set('Authorization', `Bearer ${angraKey}`)).status).to.equal(404);
    });

    it('each scope is required by its operations (403 naming it)', async () => {
      const readOnly = apiClient(t.host, await apiKeyFor(t, 'SEGOV', ['processos:ler'], 'Só leitura'));
      const create = await readOnly.postJson('createProcess', '/api/v1/processos', newProcessBody());
      expect(create.status).to.equal(403);
      expect(create.body.detail).to.contain('processos:criar');
      const created = await api.postJson('createProcess', '/api/v1/processos', newProcessBody());
      const digits = created.body.nup.replace(/\D/g, '');
      expect((await readOnly.postJson('sendProcess', `/api/v1/processos/${digits}/envios`, { unidades: [ids.units.SMS] })).body.detail).to.contain('processos:enviar');
      const file = await readOnly.request('post', `/api/v1/processos/${digits}/documentos`).field('x', 'y');
      expect(file.status).to.equal(403);
      expect(file.body.detail).to.contain('documentos:incluir');
      expect((await readOnly.get('downloadDocument', '/api/v1/documentos/1/arquivo')).body.detail).to.contain('documentos:ler');
      const writeOnly = apiClient(t.host, await apiKeyFor(t, 'SEGOV', ['processos:criar'], 'Só criação'));
      expect((await writeOnly.get('readProcess', `/api/v1/processos/${digits}`)).status).to.equal(403);
      expect((await writeOnly.get('inbox', '/api/v1/caixa')).status).to.equal(403);
    });

    it('every call is in the audit trail under the key name; the last use is recorded', async () => {
      const key = await apiKeyFor(t, 'SEGOV', ['processos:ler'], 'Sistema de Licenciamento');
      await apiClient(t.host, key).get('inbox', '/api/v1/caixa?lista=gerados');
      const audit = await tenantQuery<{ after: { key: string; method: string; path: string }; user: string }>(
        t,
        "SELECT a.after, u.name AS user FROM audit_log a JOIN users u ON u.id = a.user_id WHERE a.action = 'api.call' AND a.after->>'key' = 'Sistema de Licenciamento'",
      );
      expect(audit).to.deep.equal([{ after: { key: 'Sistema de Licenciamento', method: 'GET', path: '/api/v1/caixa' }, user: 'Sistema de Licenciamento (integração)' }]);
      const [row] = await tenantQuery<{ last_used_at: Date | null }>(t, "SELECT last_used_at FROM api_keys WHERE name = 'Sistema de Licenciamento'");
      expect(row.last_used_at).to.not.equal(null);
    });

    it('the rate limit per key answers 429 with Retry-After, other keys unaffected', async () => {
      const { config, sequelize, registry, sessionPool } = testEnv();
      const app = createApp({ config: { ...config, API_CALLS_PER_MINUTE: 3 }, sequelize, registry, loginThrottle: new LoginThrottle(sequelize, { perAccount: 1000, perIp: 1000, windowSeconds: 60 }) }, sessionPool);
      const limited = apiClient(t.host, await apiKeyFor(t, 'SEGOV', ['processos:ler'], 'Sistema apressado'), app);
      for (let i = 0; i < 3; i += 1) expect((await limited.get('inbox', '/api/v1/caixa')).status).to.equal(200);
      const over = await limited.get('inbox', '/api/v1/caixa');
      expect(over.status).to.equal(429);
      expect(Number(over.headers['retry-after'])).to.be.greaterThan(0);
      expect((await apiClient(t.host, await apiKeyFor(t, 'SEGOV', ['processos:ler'], 'Outro sistema'), app).get('inbox', '/api/v1/caixa')).status).to.equal(200);
      // Key ids are per tenant: another tenant's key with the same id has its own counter.
      const other = await processTenant();
      const [mine] = await tenantQuery<{ id: string }>(t, "SELECT id::text AS id FROM api_keys WHERE name = 'Sistema apressado'");
      let otherToken = '';
      for (let i = 0; i < 50; i += 1) {
        otherToken = await apiKeyFor(other, 'SEGOV', ['processos:ler'], `Sistema ${i}`);
        const [last] = await tenantQuery<{ id: string }>(other, 'SELECT max(id)::text AS id FROM api_keys');
        if (Number(last.id) >= Number(mine.id)) break;
      }
      const [same] = await tenantQuery<{ id: string }>(other, 'SELECT max(id)::text AS id FROM api_keys');
      expect(same.id).to.equal(mine.id);
      expect((await apiClient(other.host, otherToken, app).get('inbox', '/api/v1/caixa')).status).to.equal(200);
    });

    it('an unknown address under /api/v1/ is a 404 problem, not an HTML page', async () => {
      const res = await api.request('get', '/api/v1/nada');
      expect(res.status).to.equal(404);
      expect(res.headers['content-type']).to.match(/^application\/problem\+json/);
    });
  });

  describe("the key's user is not a person", () => {
    it('is not listed in Usuários and cannot be opened, reactivated or given a CPF or a role there (no one can log in as a key)', async () => {
      await apiKeyFor(t, 'SEGOV', ['processos:ler'], 'Sistema Fantasma');
      const [row] = await tenantQuery<{ user_id: string }>(t, "SELECT user_id::text AS user_id FROM api_keys WHERE name = 'Sistema Fantasma'");
      const admin = await loggedIn(t, 'admin');
      const list = await admin.get('/administracao/usuarios?situacao=todos').expect(200);
      expect(list.text).to.not.contain('Sistema Fantasma');
      expect((await admin.get(`/administracao/usuarios/${row.user_id}`)).status).to.equal(404);
      for (const [action, fields] of [['reativar', {}], ['cpf', { cpf: '52998224725' }], ['perfis', { unitId: ids.units.SEGOV, role: 'basic' }]] as const) {
        const res = await postForm(admin, '/administracao/usuarios', `/administracao/usuarios/${row.user_id}/${action}`, fields);
        expect(res.status, action).to.equal(404);
      }
      const [user] = await tenantQuery<{ active: boolean; cpf: string | null; roles: string }>(t, 'SELECT u.active, u.cpf, (SELECT count(*) FROM user_units m WHERE m.user_id = u.id) AS roles FROM users u WHERE u.id = $1', [row.user_id]);
      expect(user).to.deep.equal({ active: false, cpf: null, roles: '0' });
    });
  });

  describe('the Integrações page', () => {
    it('an administrator creates a key (shown once, stored hashed), sees its last use, and revokes it at once', async () => {
      const admin = await loggedIn(t, 'admin');
      const page = await admin.get('/administracao/integracoes').expect(200);
      expect($(page.text)('h1').text()).to.equal('Integrações');
      const form = await postForm(admin, '/administracao/integracoes', '/administracao/integracoes', { name: 'Sistema de Protocolo Antigo', unitId: ids.units.SEGOV, scopes: ['processos:ler', 'processos:criar'] });
      expect(form.status).to.equal(201);
      const shown = $(form.text)('[data-testid="token"]').val() as string;
      expect(shown).to.match(/^pen_[0-9a-f]{16}_/);
      const [stored] = await tenantQuery<{ id: string; secret_sha256: string; row: string }>(t, "SELECT id::text AS id, secret_sha256, row_to_json(k)::text AS row FROM api_keys k WHERE name = 'Sistema de Protocolo Antigo'");
      // The secret is everything after "pen_<id>_" (base64url: it may itself contain "_").
      const secret = shown.slice('pen_'.length + 16 + 1);
      expect(secret.length).to.be.greaterThan(20);
      expect(stored.row).to.not.contain(secret);
      expect(stored.secret_sha256).to.equal(createHash('sha256').update(shown).digest('hex'));
      // Shown once: the list does not carry it.
      const list = await admin.get('/administracao/integracoes').expect(200);
      expect(list.text).to.not.contain(shown);
      expect($(list.text)('[data-testid="key-row"]').filter((_, el) => $(list.text)(el).text().includes('Sistema de Protocolo Antigo')).text()).to.contain('Nunca usada');
      const client = apiClient(t.host, shown);
      expect((await client.get('inbox', '/api/v1/caixa')).status).to.equal(200);
      const used = await admin.get('/administracao/integracoes');
      expect($(used.text)('[data-testid="key-row"]').filter((_, el) => $(used.text)(el).text().includes('Sistema de Protocolo Antigo')).text()).to.not.contain('Nunca usada');
      const revoke = await postForm(admin, '/administracao/integracoes', `/administracao/integracoes/${stored.id}/revogar`, {});
      expect(revoke.status).to.equal(302);
      expect((await client.get('inbox', '/api/v1/caixa')).status).to.equal(401);
      const audit = await tenantQuery<{ action: string }>(t, "SELECT action FROM audit_log WHERE entity = 'api_key' AND entity_id = $1 AND action LIKE 'api_key.%' ORDER BY id", [stored.id]);
      expect(audit.map((a) => a.action)).to.deep.equal(['api_key.created', 'api_key.revoked']);
    });

    it('refuses a key without a name, unit or scope (422, errors next to the fields), and a user who is not an administrator (403)', async () => {
      const admin = await loggedIn(t, 'admin');
      const before = await count('api_keys');
      const res = await postForm(admin, '/administracao/integracoes', '/administracao/integracoes', { name: ' ', unitId: '', scopes: 'tudo:liberado' });
      expect(res.status).to.equal(422);
      const page = $(res.text);
      expect(page('#name-error').text()).to.contain('Informe o nome do sistema');
      expect(page('#unitId-error').text()).to.contain('Escolha a unidade');
      expect(page('#scopes-error').text()).to.not.equal('');
      expect(await count('api_keys')).to.equal(before);
      const clerk = await loggedIn(t, 'servidor');
      expect((await clerk.get('/administracao/integracoes')).status).to.equal(403);
    });
  });
});
