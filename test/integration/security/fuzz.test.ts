import { expect } from 'chai';
import fc from 'fast-check';
import { QueryTypes } from 'sequelize';
import { createInternalDocument } from '../../../server/documents/service';
import { runWithTenant } from '../../../server/tenancy/context';
import { operatorAgent, PLATFORM } from '../../support/adhesion';
import { ALL_SCOPES, apiKeyFor } from '../../support/api';
import { testEnv } from '../../support/environment';
import { agentFor, csrfFrom, type Agent } from '../../support/http';
import { createProcessAs, idsOf, processInput } from '../../support/processes';
import { declaredRoutes, fillPath, type DeclaredRoute } from '../../support/routes';
import { createTestTenant, type TestTenant } from '../../support/tenants';
import { signedIn } from '../../support/fixtures';

/**
 * The HTTP fuzzer (issue 12): random and hostile requests to every route of both hosts, read from
 * the routers, as every kind of user. Whatever comes in: no 5xx, no row written by a refused (4xx)
 * request (row counts of every tenant table compared before/after), and the server still answers.
 *
 *   FUZZ_RUNS=10000 npm run test:some -- test/integration/security/fuzz.test.ts
 *
 * The default keeps it near a minute, for CI.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 1500);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;

/** Field and query names the app reads somewhere, so random requests reach real code paths. */
const FIELDS = [
  '_csrf', 'q', 'numero', 'tipo', 'de', 'ate', 'pagina', 'unidade', 'ids', 'action', 'salvo', 'recebidos', 'gerados', 'atribuidos', 'atrasados',
  'historico', 'documento', 'interessado', 'tipoDocumento', 'tipoProcesso', 'entidade', 'acao', 'usuario', 'perfil', 'situacao', 'formato', 'ver',
  'para', 'codigo', 'crc', 'token', 'next', 'superior', 'importado', 'convidado', 'uf', 'slug', 'reenviado', 'email', 'password', 'name', 'cpf',
  'acronym', 'parentId', 'protocolCode', 'processTypeId', 'specification', 'accessLevel', 'legalBasisId', 'secrecyGrade', 'numberingMode',
  'informedNumber', 'partyName0', 'partyDocument0', 'units', 'keepOpen', 'notify', 'expectedReturn', 'reason', 'number', 'assignee', 'documentTypeId',
  'title', 'documentDate', 'origin', 'body', 'html', 'note', 'signerTitleId', 'unitId', 'role', 'csv', 'kind', 'ibgeCode', 'numberingScheme',
  'description', 'allowedAccessLevels', 'usage', 'numbered', 'template', 'form', 'fila', 'confirm', 'accept', 'cnpj', 'phone', 'position',
];
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '__defineGetter__'];
const HOSTILE = [
  '', ' ', 'a'.repeat(5000), '\u0000', 'a\u0000b', 'ção 🚀 \u202e\u0301', "' OR 1=1 --", "'; DROP TABLE units; --", '{{constructor.constructor}}', '${7*7}',
  '<script>alert(1)</script>', '__proto__', 'constructor', 'toString', '2026-02-30', '2026-13-45', '0000-00-00', '9999-12-31', '30/02/2026', '-1', '0',
  '1', '1.5', '1e308', '99999999999999999999', '9223372036854775808', 'NaN', 'Infinity', 'null', 'undefined', 'true', '[]', '{}', '../../etc/passwd',
  '%', '%%', '_', '\\', 'on', 'public', 'secret', 'restricted', 'send', 'conclude', 'admin', 'basic', 'json', 'completo',
];

interface World {
  tenant: TestTenant;
  agents: { name: string; host: 'platform' | 'tenant'; agent: Agent; csrf: string | null; apiKey?: boolean }[];
  ids: string[];
}

async function tenantCounts(t: TestTenant, tables: string[]): Promise<Record<string, number>> {
  const sql = `SELECT ${tables.map((name, i) => `(SELECT count(*) FROM "${t.tenant.schema}"."${name}")::int AS c${i}`).join(', ')}`;
  const [row] = await testEnv().sequelize.query<Record<string, number>>(sql, { type: QueryTypes.SELECT });
  return Object.fromEntries(tables.map((name, i) => [name, row[`c${i}`]]));
}

function changed(a: Record<string, number>, b: Record<string, number>): string[] {
  return Object.keys(a).filter((k) => a[k] !== b[k]).map((k) => `${k}: ${a[k]} → ${b[k]}`);
}

describe('Integration - security/HTTP fuzzer (every route of both hosts, every role)', function () {
  this.timeout(Math.max(120_000, RUNS * 200));
  let world: World;
  let routes: DeclaredRoute[];
  let tables: string[];

  before(async () => {
    const slug = `fz-${Math.random().toString(16).slice(2, 8)}`;
    const tenant = await createTestTenant({
      slug,
      root: { acronym: 'PMT', name: 'Prefeitura Municipal de Teste', protocolCode: '10001', children: [{ acronym: 'SEGOV', name: 'Secretaria de Governo' }, { acronym: 'SMS', name: 'Secretaria de Saúde' }] },
      users: [
        { name: 'Administradora', email: `admin@${slug}.test`, units: [{ acronym: 'PMT', role: 'admin' }, { acronym: 'SEGOV', role: 'basic' }] },
        { name: 'Servidor', email: `servidor@${slug}.test`, units: [{ acronym: 'SEGOV', role: 'basic' }] },
        { name: 'Protocolista', email: `protocolo@${slug}.test`, units: [{ acronym: 'SMS', role: 'protocol' }] },
      ],
    });
    const ids = await idsOf(tenant);
    const actor = { userId: ids.users[`servidor@${slug}.test`], unitId: ids.units.SEGOV };
    const pub = await createProcessAs(tenant, actor, processInput(ids));
    const sec = await createProcessAs(tenant, actor, processInput(ids, { accessLevel: 'secret', legalBasisId: '1', secrecyGrade: 'secreto', processTypeId: ids.types['Processo administrativo disciplinar'] }));
    const docTypes = await testEnv().sequelize.query<{ id: string }>(`SELECT id FROM "${tenant.tenant.schema}".document_types WHERE kind <> 'external' ORDER BY id LIMIT 1`, { type: QueryTypes.SELECT }).catch(() => []);
    const poolIds = [pub.id, sec.id, ...Object.values(ids.units), ...Object.values(ids.users)];
    if (docTypes[0]) {
      const doc = await runWithTenant(tenant.tenant, () => createInternalDocument({ ...actor, name: 'Servidor', unitAcronym: 'SEGOV' }, pub.id, { documentTypeId: String(docTypes[0].id) } as never)).catch(() => null);
      if (doc) poolIds.push(String(doc.id));
    }
    const agents: World['agents'] = [
      { name: 'anônimo (plataforma)', host: 'platform', agent: agentFor(PLATFORM), csrf: null },
      { name: 'operador', host: 'platform', agent: (await operatorAgent()).agent, csrf: null },
      { name: 'anônimo (ente)', host: 'tenant', agent: agentFor(tenant.host), csrf: null },
    ];
    for (const who of ['admin', 'servidor', 'protocolo']) {
      const agent = await signedIn(tenant.host, `${who}@${slug}.test`);
      agents.push({ name: who, host: 'tenant', agent, csrf: null });
    }
    for (const a of agents) {
      const page = await a.agent.get(a.name.startsWith('anônimo') ? '/login' : a.host === 'platform' ? '/admin' : '/');
      a.csrf = csrfFrom(page.text);
    }
    // The integration API authenticates by key only: its routes are also fuzzed with one (every scope).
    const keyAgent = agentFor(tenant.host);
    keyAgent.set('Authorization', `Bearer ${await apiKeyFor(tenant, 'SEGOV', ALL_SCOPES)}`);
    agents.push({ name: 'chave de integração', host: 'tenant', agent: keyAgent, csrf: null, apiKey: true });
    world = { tenant, agents, ids: poolIds };
    routes = declaredRoutes();
    tables = (
      await testEnv().sequelize.query<{ name: string }>('SELECT tablename AS name FROM pg_tables WHERE schemaname = $1 ORDER BY tablename', {
        bind: [tenant.tenant.schema],
        type: QueryTypes.SELECT,
      })
    ).map((r) => r.name);
  });

  it(`answers ${RUNS} random and hostile requests without a 5xx, and refused requests write nothing`, async () => {
    const value = fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...HOSTILE) },
      { weight: 2, arbitrary: fc.constantFrom(...world.ids) },
      { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
    );
    const fieldValue = fc.oneof({ weight: 4, arbitrary: value }, { weight: 1, arbitrary: fc.array(value, { minLength: 2, maxLength: 3 }) });
    const key = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...FIELDS) }, { weight: 1, arbitrary: fc.constantFrom(...PROTO_KEYS) }, { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 12 }) });
    const fields = fc.dictionary(key, fieldValue, { maxKeys: 8 });
    const request = fc.record({
      route: fc.integer({ min: 0, max: routes.length - 1 }),
      agent: fc.nat(),
      param: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...world.ids) }, { weight: 2, arbitrary: value }),
      query: fields,
      body: fields,
      withCsrf: fc.oneof({ weight: 9, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
      contentType: fc.constantFrom('form', 'form', 'form', 'form', 'json', 'text', 'multipart', 'truncated-multipart'),
    });

    const statuses = new Map<number, number>();
    let counts = await tenantCounts(world.tenant, tables);
    const started = Date.now();
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(request, async ({ route: index, ...r }) => {
        const route = routes[index];
        const api = route.path.startsWith('/api/v1/');
        const candidates = world.agents.filter((a) => a.host === route.host && (!a.apiKey || api));
        // Logging out would end a fuzzing session: that route is fuzzed by the anonymous agents.
        const who = route.path === '/logout' ? candidates[0] : candidates[r.agent % candidates.length];
        const agent = who.agent;
        const path = fillPath(route.path, () => r.param);
        const qs = new URLSearchParams();
        for (const [k, v] of Object.entries(r.query)) for (const x of [v].flat()) qs.append(k, x);
        const url = `${path}${qs.size ? `?${qs}` : ''}`;
        let res;
        if (route.method === 'GET') {
          res = await agent.get(url);
        } else {
          const body: Record<string, unknown> = { ...r.body };
          if (r.withCsrf && who.csrf) body._csrf = who.csrf;
          const post = agent.post(url);
          if (r.contentType === 'form') res = await post.type('form').send(body as Record<string, string>);
          else if (r.contentType === 'json') res = await post.set('x-csrf-token', who.csrf ?? '').type('json').send(JSON.stringify(body));
          else if (r.contentType === 'text') res = await post.set('x-csrf-token', who.csrf ?? '').type('text/plain').send('a=b&c=d');
          else {
            const boundary = '----fuzz' + Math.abs(r.agent);
            const parts = Object.entries(body).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${String(v)}\r\n`).join('');
            const file = `--${boundary}\r\nContent-Disposition: form-data; name="arquivo"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4 fuzz\r\n`;
            const raw = r.contentType === 'multipart' ? `${parts}${file}--${boundary}--\r\n` : `${parts}${file}`.slice(0, Math.max(10, (parts.length + file.length) >> 1));
            res = await post.set('Content-Type', `multipart/form-data; boundary=${boundary}`).send(raw);
          }
        }
        sent += 1;
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const label = `${who.name}: ${route.method} ${url.slice(0, 300)} (${r.contentType}) → ${res.status}`;
        expect(res.status, `${label}\n${res.text.slice(0, 1500)}`).to.be.below(500);
        const after = await tenantCounts(world.tenant, tables);
        // A call with an integration key is written to the audit trail whatever its outcome (issue 17): that row only.
        const written = changed(counts, after).filter((c) => !(who.apiKey && c.startsWith('audit_log:')));
        if (res.status >= 400) expect(written, `${label}: a refused request wrote rows`).to.deep.equal([]);
        counts = after;
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    const ms = Date.now() - started;
    // Still answering, on both hosts.
    await agentFor(PLATFORM).get('/').expect(200);
    await agentFor(world.tenant.host).get('/login').expect(200);
    const byStatus = [...statuses.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}: ${n}`).join(', ');
    process.stdout.write(`      fuzzer: ${sent} requests over ${routes.length} routes in ${(ms / 1000).toFixed(1)} s (${(sent / (ms / 1000)).toFixed(0)}/s); ${byStatus}\n`);
  });
});
