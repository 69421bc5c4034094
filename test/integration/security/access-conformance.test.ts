import { expect } from 'chai';
import { processSurfaces } from '../../../server/processes/surfaces';
import { apiKeyFor } from '../../support/api';
import { decideAccess } from '../../../server/processes/access';
import type { AccessLevel } from '../../../server/models';
import { $, agentFor, binaryBody, csrfFrom, postForm, type Agent } from '../../support/http';
import { createViaHttp } from '../../support/processes-http';
import { idsOf, tenantQuery, type TenantIds } from '../../support/processes';
import { declaredRoutes, fillPath } from '../../support/routes';
import { createTestTenant, type TestTenant } from '../../support/tenants';
import { signedIn } from '../../support/fixtures';

/**
 * One access rule, every surface (issue 12). Each surface registered in server/processes/surfaces.ts
 * is asked, for a process of each level, by a viewer in each relation to it, and must reveal exactly
 * what the rule allows: when the viewer may read the process, its content; when they may only find
 * it (restrito elsewhere), at most its number (and only where the number was asked for); otherwise
 * nothing at all. Canaries (unique strings in the parties, especificação and sobrestamento reason)
 * make any leak visible in any response.
 */

type Cell = 'creator' | 'passedThrough' | 'unrelated' | 'credentialHolder' | 'revoked';
const CELLS: Cell[] = ['creator', 'passedThrough', 'unrelated', 'credentialHolder', 'revoked'];
const LEVELS: AccessLevel[] = ['public', 'restricted', 'secret'];
const tag = Math.random().toString(36).slice(2, 8);

interface Fixture {
  id: string;
  number: string;
  party: string;
  cpf: string;
  specification: string;
  reason: string | null;
}

/** The users of each cell: SEGOV creates, SMS receives, SEAD never sees it; credentials go to SEAD users. */
const USERS: Record<Cell, { email: string; unit: string }> = {
  creator: { email: `criador-${tag}@conf.test`, unit: 'SEGOV' },
  passedThrough: { email: `passou-${tag}@conf.test`, unit: 'SMS' },
  unrelated: { email: `alheio-${tag}@conf.test`, unit: 'SEAD' },
  credentialHolder: { email: `credenciado-${tag}@conf.test`, unit: 'SEAD' },
  revoked: { email: `cassado-${tag}@conf.test`, unit: 'SEAD' },
};

/** What the one rule says for the cell: the unit facts of the fixture below, and the credentials given. */
function expected(level: AccessLevel, cell: Cell): { canFind: boolean; canRead: boolean } {
  return decideAccess({
    accessLevel: level,
    passedThroughUnit: cell === 'creator' || cell === 'passedThrough',
    credentialed: level === 'secret' && (cell === 'creator' || cell === 'credentialHolder'),
  });
}

interface Probe {
  /** Requests the surface as `agent` about `f` and returns the response status and text. */
  run(agent: Agent, f: Fixture, level: AccessLevel): Promise<{ status: number; text: string }>;
  /** Checks the response against the decision. */
  check(r: { status: number; text: string }, f: Fixture, access: { canFind: boolean; canRead: boolean }, level: AccessLevel): void;
}

const get = async (agent: Agent, path: string) => {
  const res = await agent.get(path);
  return { status: res.status, text: res.text };
};

/** The page without the values of its form fields: echoing what the visitor typed reveals nothing. */
function withoutEcho(text: string): string {
  return text.replace(/ value="[^"]*"/g, '');
}

function revealsContent(text: string, f: Fixture): boolean {
  return text.includes(f.party) || text.includes(f.cpf) || text.includes(f.specification) || (f.reason !== null && text.includes(f.reason));
}

/**
 * A form about one process (send, alter, new document): only who may read it gets it (the
 * process's state may still refuse a reader with 403 — open elsewhere, suspended); anyone else gets
 * 403/404 without its content, and without its number when they may not even find it.
 */
const readersOnly = (path: (f: Fixture) => string): Probe => ({
  run: (agent, f) => get(agent, path(f)),
  check: (r, f, access) => {
    if (access.canRead) expect(r.status).to.be.oneOf([200, 403]);
    else {
      expect(r.status).to.be.oneOf([403, 404]);
      expect(revealsContent(r.text, f)).to.equal(false);
      if (!access.canFind) expect(r.text).to.not.contain(f.number);
    }
  },
});

describe('Integration - security/access conformance (every surface × every level × every viewer)', function () {
  this.timeout(120_000);
  let t: TestTenant;
  let ids: TenantIds;
  const agents = {} as Record<Cell, Agent>;
  const apiKeys = new Map<Agent, string>();
  const fixtures = {} as Record<AccessLevel, Fixture>;
  /** A público process related to the restrito and the sigiloso ones (issue 12, item 2). */
  let hub: Fixture;

  const PROBES: Record<string, Probe> = {
    'GET /processos/:id': {
      run: (agent, f) => get(agent, `/processos/${f.id}`),
      check: (r, f, access) => {
        if (!access.canFind) {
          expect(r.status).to.equal(404);
          expect(r.text).to.not.contain(f.number);
        } else {
          expect(r.status).to.equal(200);
          expect(r.text).to.contain(f.number);
        }
        expect(revealsContent(r.text, f), 'content').to.equal(access.canRead);
      },
    },
    'GET /api/processos/interessados': {
      run: (agent, f) => get(agent, `/api/processos/interessados?q=${encodeURIComponent(f.party.slice(0, 24))}`),
      check: (r, f, access) => {
        expect(r.status).to.equal(200);
        expect(r.text.includes(f.party), 'suggested').to.equal(access.canRead);
      },
    },
    'GET /processos/numero': {
      run: (agent, f) => get(agent, `/processos/numero?numero=${encodeURIComponent(f.number)}`),
      check: (r, f, access) => {
        expect(r.status).to.equal(access.canFind ? 302 : 404);
        expect(revealsContent(r.text, f)).to.equal(false);
      },
    },
    'GET /pesquisa': {
      // By interessado: only readable processes match (a restrito hit would say "this person has a process here").
      run: async (agent, f) => {
        const byParty = await get(agent, `/pesquisa?interessado=${encodeURIComponent(f.party)}`);
        const byCpf = await get(agent, `/pesquisa?interessado=${f.cpf}`);
        const byNumber = await get(agent, `/pesquisa?numero=${encodeURIComponent(f.number)}`);
        const partial = await get(agent, `/pesquisa?numero=${f.number.replace(/\D/g, '').slice(5, 11)}`);
        return { status: byParty.status, text: [byParty.text, byCpf.text, byNumber.text, partial.text].join('\u0000') };
      },
      check: (r, f, access) => {
        // The results section only: the form above it echoes what was typed.
        const [byParty, byCpf, byNumber, partial] = r.text.split('\u0000').map((html) => $(html)('[data-testid="results"]').text());
        expect(byParty.includes(f.number), 'by interessado').to.equal(access.canRead);
        expect(byCpf.includes(f.number), 'by CPF').to.equal(access.canRead);
        expect(byNumber.includes(f.number), 'by whole number').to.equal(access.canFind);
        expect(partial.includes(f.number), 'by part of the number').to.equal(access.canRead);
        for (const hits of [byParty, byCpf, byNumber, partial]) expect(revealsContent(hits, f) && !access.canRead, 'content in hits').to.equal(false);
      },
    },
    'GET /': {
      // The inbox of the viewer's unit lists the process where it is open there and they may find it.
      run: (agent) => get(agent, '/'),
      check: (r, f, access) => {
        expect(r.status).to.equal(200);
        if (!access.canFind) expect(r.text).to.not.contain(f.number);
        if (!access.canRead) expect(revealsContent(r.text, f)).to.equal(false);
      },
    },
    'GET /processos/enviar': {
      run: (agent, f) => get(agent, `/processos/enviar?ids=${f.id}`),
      check: (r, f, access) => {
        if (!access.canFind) expect(r.text).to.not.contain(f.number);
        if (!access.canRead) expect(revealsContent(r.text, f)).to.equal(false);
      },
    },
    'GET /processos/:id/enviar': readersOnly((f) => `/processos/${f.id}/enviar`),
    'GET /processos/:id/alterar': readersOnly((f) => `/processos/${f.id}/alterar`),
    'GET /processos/:id/enviar-outro-orgao': readersOnly((f) => `/processos/${f.id}/enviar-outro-orgao`),
    // A reader gets the ZIP, or the send page saying why it cannot be exported (these fixtures are sobrestados: 422).
    'GET /processos/:id/exportar-tramite': {
      run: async (agent, f) => {
        const res = await agent.get(`/processos/${f.id}/exportar-tramite`).buffer(true).parse(binaryBody);
        return { status: res.status, text: (res.body as Buffer).toString('utf8') };
      },
      check: (r, f, access) => {
        if (access.canRead) expect(r.status).to.be.oneOf([200, 403, 422]);
        else {
          expect(r.status).to.be.oneOf([403, 404]);
          expect(revealsContent(r.text, f)).to.equal(false);
          if (!access.canFind) expect(r.text).to.not.contain(f.number);
        }
      },
    },
    'GET /processos/:processId/documentos': readersOnly((f) => `/processos/${f.id}/documentos`),
    'GET /processos/:processId/documentos/novo': readersOnly((f) => `/processos/${f.id}/documentos/novo`),
    'GET /processos/:processId/documentos/externo/novo': readersOnly((f) => `/processos/${f.id}/documentos/externo/novo`),
    'GET /processos/:id/intimar': readersOnly((f) => `/processos/${f.id}/intimar`),
  };
  // The consulta pública is anonymous (mounted before the session: no viewer's cookie is read), so
  // every cell sees what an anonymous visitor may: a público process whole, a restrito one's existence
  // (number, type, dates) without interessados or especificação, a sigiloso one not at all.
  const anonymous = (level: AccessLevel) => ({ canFind: level !== 'secret', canRead: level === 'public' });
  PROBES['GET /consulta-publica'] = {
    run: (agent, f) => get(agent, `/consulta-publica?numero=${encodeURIComponent(f.number)}`),
    check: (r, f, _access, level) => {
      const seen = anonymous(level);
      expect(r.status).to.equal(200);
      expect(withoutEcho(r.text).includes(f.number), 'número').to.equal(seen.canFind);
      if (!seen.canRead) expect(revealsContent(r.text, f)).to.equal(false);
    },
  };
  PROBES['GET /consulta-publica/processos/:numero'] = {
    run: (agent, f) => get(agent, `/consulta-publica/processos/${f.number.replace(/\D/g, '')}`),
    check: (r, f, _access, level) => {
      const seen = anonymous(level);
      expect(r.status).to.equal(seen.canFind ? 200 : 404);
      if (!seen.canFind) expect(r.text).to.not.contain(f.number);
      if (seen.canRead) expect(r.text).to.contain(f.party);
      else expect(revealsContent(r.text, f)).to.equal(false);
    },
  };
  // The integration API (issue 17): a key acts as a user of its unit. Each cell's agent has a key in
  // the cell's unit, whose user holds the same credentials as the cell's user (given in before()).
  const apiGet = async (agent: Agent, path: string) => {
    const res = await agentFor(t.host).get(path).set('Authorization', `Bearer ${apiKeys.get(agent)}`);
    return { status: res.status, text: res.text };
  };
  PROBES['GET /api/v1/processos/:nup'] = {
    run: (agent, f) => apiGet(agent, `/api/v1/processos/${f.number.replace(/\D/g, '')}`),
    check: (r, f, access) => {
      expect(r.status).to.equal(access.canFind ? 200 : 404);
      if (!access.canFind) expect(r.text).to.not.contain(f.number);
      else expect(JSON.parse(r.text).acessoRestrito).to.equal(!access.canRead);
      expect(revealsContent(r.text, f), 'content').to.equal(access.canRead);
    },
  };
  PROBES['GET /api/v1/caixa'] = {
    run: async (agent) => {
      const [received, created] = await Promise.all(['recebidos', 'gerados'].map((l) => apiGet(agent, `/api/v1/caixa?lista=${l}&limite=100`)));
      return { status: Math.max(received.status, created.status), text: received.text + created.text };
    },
    check: (r, f, access) => {
      expect(r.status).to.equal(200);
      if (!access.canFind) expect(r.text).to.not.contain(f.number);
      if (!access.canRead) expect(revealsContent(r.text, f)).to.equal(false);
    },
  };
  PROBES['GET /api/v1/documentos/:id/arquivo'] = {
    run: (agent, f) => apiGet(agent, `/api/v1/documentos/${f.id}/arquivo`),
    check: (r, f, access) => {
      expect(r.status).to.be.below(500);
      if (!access.canRead) expect(revealsContent(r.text, f)).to.equal(false);
    },
  };
  /** Surfaces about documents and PDF jobs: the documents test files give their own matrix (documents/http, process-pdf/pdf, authenticity/check); here each is asked with the process's id in every position, which must reveal nothing to who may not read it. */
  const BY_DOCUMENT = ['GET /documentos/:id', 'GET /documentos/:id/arquivo', 'GET /documentos/:id/editar', 'GET /documentos/:id/versoes', 'GET /documentos/:id/versoes/comparar', 'GET /documentos/:id/cancelar', 'GET /documentos/:id/assinar', 'GET /processos/:processId/pdf/:jobId', 'GET /processos/:processId/pdf/:jobId/arquivo', 'GET /conferir-autenticidade'];
  for (const route of BY_DOCUMENT) {
    const path = route.slice(4);
    PROBES[route] = {
      run: (agent, f) => get(agent, `${fillPath(path, () => f.id)}${route.endsWith('autenticidade') ? `?codigo=${f.id}&crc=${f.id}` : ''}`),
      check: (r, f, access) => {
        expect(r.status).to.be.below(500);
        if (!access.canRead) expect(revealsContent(r.text, f)).to.equal(false);
      },
    };
  }

  before(async () => {
    t = await createTestTenant({
      root: { acronym: 'PMT', name: 'Prefeitura Municipal de Teste', protocolCode: '10001', children: ['SEGOV', 'SMS', 'SEAD'].map((acronym) => ({ acronym, name: `Secretaria ${acronym}` })) },
      users: (Object.keys(USERS) as Cell[]).map((cell) => ({ name: `Usuária ${cell}`, email: USERS[cell].email, units: [{ acronym: USERS[cell].unit, role: 'basic' }] })),
    });
    ids = await idsOf(t);
    for (const cell of CELLS) {
      agents[cell] = await signedIn(t.host, USERS[cell].email);
    }
    const creator = agents.creator;
    const cpfs: Record<AccessLevel, string> = { public: '52998224725', restricted: '11144477735', secret: '39053344705' };
    for (const level of LEVELS) {
      const party = `Canário ${level} ${tag}`;
      const specification = `Especificação canário ${level} ${tag}`;
      const typeId = level === 'secret' ? ids.types['Processo administrativo disciplinar'] : undefined;
      const fields: Record<string, string> = { accessLevel: level, specification, partyName0: party, partyDocument0: cpfs[level] };
      if (level !== 'public') fields.legalBasisId = '1';
      if (level === 'secret') fields.secrecyGrade = 'secreto';
      const p = await createViaHttp(creator, fields, typeId);
      // It passes through SMS (kept open at the origin).
      expect((await postForm(creator, `/processos/${p.id}/enviar`, `/processos/${p.id}/enviar`, { units: ids.units.SMS, keepOpen: 'on' })).status).to.equal(302);
      let reason: string | null = null;
      if (level !== 'secret') {
        // SMS concludes its copy, the origin suspends it with a reason that carries personal data (item 3).
        expect((await postForm(agents.passedThrough, `/processos/${p.id}`, `/processos/${p.id}/concluir`, {})).status).to.equal(302);
        reason = `Motivo canário ${level} ${tag}`;
        expect((await postForm(creator, `/processos/${p.id}`, `/processos/${p.id}/sobrestar`, { reason })).status).to.equal(302);
      } else {
        for (const who of ['credentialHolder', 'revoked'] as const) {
          expect((await postForm(creator, `/processos/${p.id}`, `/processos/${p.id}/credenciais`, { email: USERS[who].email })).status).to.equal(302);
        }
        const [revoked] = await tenantQuery<{ id: string }>(t, 'SELECT c.id FROM access_credentials c JOIN users u ON u.id = c.user_id WHERE c.process_id = $1 AND u.email = $2', [p.id, USERS.revoked.email]);
        expect((await postForm(creator, `/processos/${p.id}`, `/processos/${p.id}/credenciais/${revoked.id}/cassar`, {})).status).to.equal(302);
      }
      fixtures[level] = { ...p, party, cpf: cpfs[level], specification, reason };
    }
    const h = await createViaHttp(creator, { specification: `Processo central ${tag}`, partyName0: `Central ${tag}` });
    for (const level of ['restricted', 'secret'] as const) {
      expect((await postForm(creator, `/processos/${h.id}`, `/processos/${h.id}/relacionar`, { number: fixtures[level].number })).status).to.equal(302);
    }
    hub = { ...h, party: `Central ${tag}`, cpf: '-', specification: `Processo central ${tag}`, reason: null };
    // One integration key per cell, in the cell's unit; on the sigiloso process its user holds the
    // cell user's credential (active or revoked), so the key is that user as far as the rule goes.
    for (const cell of CELLS) {
      const key = await apiKeyFor(t, USERS[cell].unit, ['processos:ler', 'documentos:ler'], `Sistema ${cell}`);
      apiKeys.set(agents[cell], key);
      const [keyUser] = await tenantQuery<{ user_id: string }>(t, 'SELECT user_id::text AS user_id FROM api_keys WHERE name = $1', [`Sistema ${cell}`]);
      await tenantQuery(
        t,
        `INSERT INTO access_credentials (process_id, user_id, granted_by_id, revoked_at)
         SELECT c.process_id, $2, c.granted_by_id, c.revoked_at FROM access_credentials c JOIN users u ON u.id = c.user_id WHERE c.process_id = $1 AND u.email = $3 RETURNING id`,
        [fixtures.secret.id, keyUser.user_id, USERS[cell].email],
      );
    }
  });

  it('has a matrix row for every registered surface', () => {
    const missing = processSurfaces().map((s) => s.route).filter((r) => !PROBES[r]);
    expect(missing, 'registered surfaces without a probe in this test').to.deep.equal([]);
  });

  it('registers every GET route of the tenant host that shows a process (probed as its creator, with its id in every parameter)', async () => {
    const registered = new Set(processSurfaces().map((s) => s.route));
    const leaking: string[] = [];
    const f = fixtures.secret;
    for (const route of declaredRoutes().filter((r) => r.host === 'tenant' && r.method === 'GET')) {
      const key = `GET ${route.path}`;
      if (registered.has(key)) continue;
      const query = (party: string) => `?q=${encodeURIComponent(party)}&numero=${encodeURIComponent(f.number)}&interessado=${encodeURIComponent(party)}&ids=${f.id}&documento=${f.id}`;
      const res = await agents.creator.get(fillPath(route.path, () => f.id) + query(f.party));
      const shown = withoutEcho(res.text);
      // A page that repeats the words searched for (a portal's "resultados para …") echoes the party's
      // name without having found it: asked for a name no one has, it repeats that one too.
      const nobody = `Ninguém ${tag}x`;
      const echoes = withoutEcho((await agents.creator.get(fillPath(route.path, () => f.id) + query(nobody))).text).includes(nobody);
      const reveals = echoes ? revealsContent(shown.split(f.party).join(''), f) : revealsContent(shown, f);
      if (shown.includes(f.number) || reveals) leaking.push(key);
    }
    expect(leaking, 'routes that show process data but are not in server/processes/surfaces.ts').to.deep.equal([]);
  });

  for (const level of LEVELS) {
    for (const cell of CELLS) {
      it(`${level} × ${cell}: every surface reveals what the rule allows (${JSON.stringify(expected(level, cell))})`, async () => {
        const f = fixtures[level];
        const access = expected(level, cell);
        for (const surface of processSurfaces()) {
          const probe = PROBES[surface.route];
          if (!probe) continue;
          const r = await probe.run(agents[cell], f, level);
          try {
            probe.check(r, f, access, level);
          } catch (err) {
            (err as Error).message = `${surface.route} (${surface.shows}): ${(err as Error).message}`;
            throw err;
          }
        }
      });
    }
  }

  for (const cell of CELLS) {
    it(`a público process's relations show a related process only to who may find it (${cell})`, async () => {
      const page = $((await agents[cell].get(`/processos/${hub.id}`).expect(200)).text);
      const relations = page('[data-testid="relations"]').text();
      for (const level of ['restricted', 'secret'] as const) {
        const related = fixtures[level];
        expect(relations.includes(related.number), `${level} related`).to.equal(expected(level, cell).canFind);
        expect(page(`a[href="/processos/${related.id}"]`).length > 0, `${level} link`).to.equal(expected(level, cell).canFind);
      }
    });
  }

  it('the SQL predicates agree with the rule for every cell (one rule, two forms)', async () => {
    for (const level of LEVELS) {
      for (const cell of CELLS) {
        const userId = ids.users[USERS[cell].email];
        const unitId = ids.units[USERS[cell].unit];
        const { findableSql, readableSql } = await import('../../../server/processes/access');
        const [row] = await tenantQuery<{ findable: boolean; readable: boolean }>(
          t,
          `SELECT ${findableSql('$2')} AS findable, ${readableSql('p', '$2', '$3')} AS readable FROM processes p WHERE p.id = $1`,
          [fixtures[level].id, userId, unitId],
        );
        expect({ canFind: row.findable, canRead: row.readable }, `${level} × ${cell}`).to.deep.equal(expected(level, cell));
      }
    }
  });

  it('the page of a restrito process suspended elsewhere says it is suspended, without the reason', async () => {
    const page = $((await agents.unrelated.get(`/processos/${fixtures.restricted.id}`).expect(200)).text);
    expect(page('[data-testid="suspended"]').text()).to.contain('Sim');
    expect(page.text()).to.not.contain(fixtures.restricted.reason!);
    void csrfFrom;
  });
});
