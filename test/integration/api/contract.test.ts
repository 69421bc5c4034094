import Ajv2020 from 'ajv/dist/2020';
import { expect } from 'chai';
import { OPERATIONS, openApiPath } from '../../../server/api/contract';
import { ALL_SCOPES, apiClient, apiKeyFor, seenResponses } from '../../support/api';
import { $, agentFor } from '../../support/http';
import { idsOf, type TenantIds } from '../../support/processes';
import { processTenant } from '../../support/processes-http';
import { declaredRoutes } from '../../support/routes';
import type { TestTenant } from '../../support/tenants';

interface OpenApiDoc {
  openapi: string;
  paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, { content?: Record<string, { schema: object }> }> }>>;
}

/**
 * The contract (issue 17): /api/v1/openapi.json is generated from the zod schemas the routes validate
 * with; every route of the API router is in it (and nothing else), every operation declares a key, and
 * every response the API tests saw fits the document's JSON Schema for its operation and status.
 */
describe('Integration - api/OpenAPI contract', function () {
  this.timeout(60_000);
  let t: TestTenant;
  let ids: TenantIds;
  let doc: OpenApiDoc;

  before(async () => {
    t = await processTenant();
    ids = await idsOf(t);
    const res = await agentFor(t.host).get('/api/v1/openapi.json').expect(200);
    expect(res.headers['content-type']).to.match(/^application\/json/);
    doc = res.body as OpenApiDoc;
  });

  it('is an OpenAPI 3.1 document served without a key', () => {
    expect(doc.openapi).to.equal('3.1.0');
    expect(Object.keys(doc.paths).length).to.be.greaterThan(3);
  });

  it('lists every route of the API router, and only those, each with the bearer key as security', () => {
    const routes = declaredRoutes()
      .filter((r) => r.host === 'tenant' && r.path.startsWith('/api/v1/') && !['/api/v1/openapi.json', '/api/v1/docs'].includes(r.path))
      .map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:([A-Za-z_]+)/g, '{$1}')}`)
      .sort();
    const documented = Object.entries(doc.paths)
      .flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m} ${path}`))
      .sort();
    expect(routes).to.deep.equal(documented);
    for (const methods of Object.values(doc.paths)) for (const op of Object.values(methods)) expect(op.security).to.deep.equal([{ chave: [] }]);
  });

  it('every response of the API tests fits the published schema of its operation and status', async () => {
    // Exercise each operation here too, so this file alone checks every one (the full suite adds api.test.ts's).
    const api = apiClient(t.host, await apiKeyFor(t, 'SEGOV', ALL_SCOPES));
    const created = await api.postJson('createProcess', '/api/v1/processos', {
      tipoProcessoId: ids.types['Licitação: pregão eletrônico'],
      especificacao: 'Contrato',
      interessados: [{ nome: 'Empresa Contratada' }],
      nivelAcesso: 'publico',
    });
    expect(created.status).to.equal(201);
    const digits = created.body.nup.replace(/\D/g, '');
    expect((await api.get('readProcess', `/api/v1/processos/${digits}`)).status).to.equal(200);
    expect((await api.get('inbox', '/api/v1/caixa?lista=gerados')).status).to.equal(200);
    expect((await api.get('inbox', '/api/v1/caixa?limite=x')).status).to.equal(400);
    expect((await api.get('downloadDocument', '/api/v1/documentos/999999/arquivo')).status).to.equal(404);
    expect((await api.postJson('sendProcess', `/api/v1/processos/${digits}/envios`, { unidades: [ids.units.SMS], manterAberto: true })).status).to.equal(200);
    expect((await api.postJson('createProcess', '/api/v1/processos', { especificacao: 1 })).status).to.equal(400);
    expect((await apiClient(t.host, null).get('readProcess', `/api/v1/processos/${digits}`)).status).to.equal(401);

    const ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addFormat('binary', true);
    const operations = new Set<string>();
    for (const seen of seenResponses) {
      const op = OPERATIONS[seen.operation];
      const declared = doc.paths[openApiPath(op.path)][op.method].responses[String(seen.status)];
      expect(declared, `${seen.operation} ${seen.status} in the document`).to.exist;
      operations.add(seen.operation);
      if (seen.body === null) continue;
      const schema = declared.content?.[seen.contentType]?.schema;
      expect(schema, `${seen.operation} ${seen.status} ${seen.contentType}: a schema in the document`).to.exist;
      const validate = ajv.compile(schema!);
      expect(validate(seen.body), `${seen.operation} ${seen.status}: ${ajv.errorsText(validate.errors)}`).to.equal(true);
    }
    expect([...operations].sort()).to.include.members(['createProcess', 'downloadDocument', 'inbox', 'readProcess', 'sendProcess']);
  });

  it('/api/v1/docs is a page rendered on the server (no script or style from another site) with every operation', async () => {
    const res = await agentFor(t.host).get('/api/v1/docs').expect(200);
    const page = $(res.text);
    expect(page('h1').text()).to.equal('API de integração');
    const shown = page('[data-testid="operation"] h3').map((_, el) => page(el).text()).get().join('\n');
    for (const op of Object.values(OPERATIONS)) expect(shown).to.contain(`${op.method.toUpperCase()} ${openApiPath(op.path)}`);
    page('script[src], link[href]').each((_, el) => {
      const src = page(el).attr('src') ?? page(el).attr('href') ?? '';
      expect(src, 'served by us').to.match(/^\//);
    });
  });
});
