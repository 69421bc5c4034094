import { expect } from 'chai';
import { z } from 'zod';
import { declaredInput } from '../../../server/validation';
import { declaredRoutes } from '../../support/routes';
import { operatorAgent } from '../../support/adhesion';
import { $, agentFor } from '../../support/http';
import { loggedIn, processTenant, createViaHttp } from '../../support/processes-http';
import { tenantQuery } from '../../support/processes';
import type { TestTenant } from '../../support/tenants';

/**
 * Typed input at the edge (issue 12): every route of both hosts declares its input schema with
 * `input(...)` (server/validation.ts), before any handler or service, and the params schema covers
 * every `:param` of its path. A new route without one fails here.
 */
describe('Integration - security/route input schemas (every route declares one)', () => {
  it('finds input(...) on every GET and POST route of both hosts, covering each path parameter', () => {
    const routes = declaredRoutes();
    expect(routes.length).to.be.greaterThan(90);
    const problems: string[] = [];
    for (const r of routes) {
      const declared = r.handlers.map(declaredInput).find(Boolean);
      const name = `${r.host} ${r.method} ${r.path}`;
      if (!declared) {
        problems.push(`${name}: no input(...)`);
        continue;
      }
      const params = [...r.path.matchAll(/:([A-Za-z_]+)/g)].map((m) => m[1]);
      const shape = declared.params instanceof z.ZodObject ? Object.keys(declared.params.shape) : [];
      const missing = params.filter((p) => !shape.includes(p));
      if (missing.length) problems.push(`${name}: params schema misses ${missing.join(', ')}`);
      const position = r.handlers.findIndex((h) => declaredInput(h));
      if (position === r.handlers.length - 1) problems.push(`${name}: input(...) must come before the handler`);
    }
    expect(problems).to.deep.equal([]);
  });

  describe('bad input is a 4xx with a clear message in Portuguese, and nothing is written', () => {
    let t: TestTenant;
    before(async () => {
      t = await processTenant();
    });

    const count = async (table: string) => Number((await tenantQuery<{ n: string }>(t, `SELECT count(*) AS n FROM ${table}`))[0].n);

    it('ids in paths out of BIGINT range or not numbers: 404 (an address that does not exist), not 500', async () => {
      const clerk = await loggedIn(t, 'servidor');
      for (const id of ['99999999999999999999', '9223372036854775808', 'abc', '-1', '0', '1.5', '1e3']) {
        const res = await clerk.get(`/processos/${id}`);
        expect(res.status, id).to.equal(404);
        expect($(res.text)('main').text()).to.contain('identificador inválido');
      }
      const page = await clerk.get('/');
      const csrf = $(page.text)('input[name="_csrf"]').first().val() as string;
      const events = await count('process_events');
      for (const path of ['/processos/99999999999999999999/concluir', '/processos/1/relacionamentos/x/remover', '/documentos/1e99/excluir', '/documentos/1/versoes/99999999999/restaurar']) {
        expect((await clerk.post(path).type('form').send({ _csrf: csrf })).status, path).to.equal(404);
      }
      expect(await count('process_events')).to.equal(events);
    });

    it('impossible dates in filters and forms: 4xx with the field named, nothing written', async () => {
      const admin = await loggedIn(t, 'admin');
      for (const date of ['2026-02-30', '2026-13-45', '0000-00-00']) {
        expect((await admin.get(`/administracao/auditoria?de=${date}`)).status, `auditoria ${date}`).to.equal(400);
        const search = await admin.get(`/pesquisa?de=${date}&numero=1`);
        expect(search.status, `pesquisa ${date}`).to.equal(422);
        expect(search.text).to.contain('Informe uma data válida');
      }
      const clerk = await loggedIn(t, 'servidor');
      const p = await createViaHttp(clerk);
      const unitsBefore = await tenantQuery<{ n: string }>(t, 'SELECT count(*) AS n FROM process_units WHERE process_id = $1', [p.id]);
      const form = await clerk.get(`/processos/${p.id}/enviar`).expect(200);
      const sms = $(form.text)('input[name="units"]').first().val() as string;
      const res = await clerk.post(`/processos/${p.id}/enviar`).type('form').send({ _csrf: $(form.text)('input[name="_csrf"]').val() as string, units: sms, expectedReturn: '2026-02-30' });
      expect(res.status).to.equal(422);
      expect(res.text).to.contain('Informe uma data válida');
      expect(await tenantQuery(t, 'SELECT count(*) AS n FROM process_units WHERE process_id = $1', [p.id])).to.deep.equal(unitsBefore);
    });

    it('prototype keys as query values and enums that are not in the list: 4xx or ignored, never 500', async () => {
      const admin = await loggedIn(t, 'admin');
      for (const path of ['/?atribuidos=constructor', '/administracao/usuarios?perfil=__proto__', '/administracao/usuarios?situacao=toString', '/processos/1?historico=constructor', '/documentos/1/versoes/comparar?de=1&para=99999999999']) {
        const res = await admin.get(path);
        expect(res.status, path).to.equal(400);
        expect(res.text).to.contain('Requisição inválida');
      }
    });

    it('prototype keys looked up in plain objects (console queue and notices): the default, not a 500', async () => {
      const { agent } = await operatorAgent();
      for (const path of ['/admin?fila=constructor', '/admin?fila=__proto__&ok=toString', '/admin/entes?ok=constructor', '/admin/pedidos/1?ok=hasOwnProperty']) {
        expect((await agent.get(path)).status, path).to.be.oneOf([200, 404]);
      }
    });

    it('a JSON body where a form is expected: 415 before any route, nothing written', async () => {
      const clerk = await loggedIn(t, 'servidor');
      const csrf = $((await clerk.get('/processos/novo')).text)('input[name="_csrf"]').val() as string;
      const before = await count('processes');
      const res = await clerk.post('/processos').set('x-csrf-token', csrf).type('json').send({ processTypeId: '1', specification: 'x', accessLevel: 'public', partyName0: 'A' });
      expect(res.status).to.equal(415);
      expect(res.text).to.contain('Este endereço aceita apenas formulários');
      expect(await count('processes')).to.equal(before);
    });

    it('a truncated multipart body (parsed before the CSRF check): 400, nothing written', async () => {
      const clerk = await loggedIn(t, 'servidor');
      const p = await createViaHttp(clerk);
      const before = await count('documents');
      const boundary = '----truncado';
      const body = `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\nx\r\n--${boundary}\r\nContent-Disposition: form-data; name="arquivo"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4 corta`;
      const res = await clerk.post(`/processos/${p.id}/documentos/externo`).set('Content-Type', `multipart/form-data; boundary=${boundary}`).send(body);
      expect(res.status).to.equal(400);
      expect(res.text).to.contain('O formulário chegou incompleto ou malformado');
      expect(await count('documents')).to.equal(before);
    });

    it("a truncated multipart body on the citizen portal (read before the CSRF check too): 400, nothing written", async () => {
      const [service] = await tenantQuery<{ id: string }>(t, "SELECT id FROM citizen_services WHERE status = 'published' ORDER BY id LIMIT 1");
      const before = await count('citizen_requests');
      const boundary = '----truncado';
      const body = `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\nx\r\n--${boundary}\r\nContent-Disposition: form-data; name="anexo0"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4 corta`;
      const res = await agentFor(t.host).post(`/protocolo/servicos/${service.id}/formulario`).set('Content-Type', `multipart/form-data; boundary=${boundary}`).send(body);
      expect(res.status).to.equal(400);
      expect(res.text).to.contain('O formulário chegou incompleto ou malformado');
      expect(await count('citizen_requests')).to.equal(before);
    });
  });
});
