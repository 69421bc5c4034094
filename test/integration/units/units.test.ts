import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { registerUnitDeactivationGuard } from '../../../server/units/deactivationGuards';
import { loggedInAs, tenantWithAdmin } from '../../support/fixtures';
import { testEnv } from '../../support/environment';
import { $, agentFor, type Agent, postForm } from '../../support/http';
import type { TestTenant } from '../../support/tenants';

async function rows<T extends object>(t: TestTenant, sql: string, bind: unknown[] = []): Promise<T[]> {
  return testEnv().sequelize.query<T>(sql.replaceAll('tenant.', `"${t.tenant.schema}".`), { bind, type: QueryTypes.SELECT });
}

async function unitId(t: TestTenant, acronym: string): Promise<string> {
  const [u] = await rows<{ id: string }>(t, 'SELECT id::text FROM tenant.units WHERE acronym = $1', [acronym]);
  return u.id;
}

describe('Integration - units/administration', () => {
  let t: TestTenant;
  let admin: Agent;

  before(async () => {
    ({ t, admin } = await tenantWithAdmin());
  });

  it('shows the tree with sigla, path, protocol code, state and number of people', async () => {
    const res = await admin.get('/administracao/unidades').expect(200);
    const page = $(res.text);
    expect(page('h1').text()).to.equal('Unidades');
    const segov = page(`#unidade-${await unitId(t, 'SEGOV')}`);
    expect(segov.find('.app-tree-path').first().text()).to.equal('PMT/SEGOV');
    expect(segov.text()).to.contain('1 pessoa').and.contain('Ativa');
    expect(page(`#unidade-${await unitId(t, 'PMT')}`).find('.app-tree-meta').first().text()).to.contain('protocolo 10001');
  });

  it('creates a unit under a parent, uppercasing the sigla, and records it in the audit log', async () => {
    const res = await postForm(admin, '/administracao/unidades/nova', '/administracao/unidades', {
      parentId: await unitId(t, 'SEGOV'),
      acronym: 'drh',
      name: 'Departamento de Recursos Humanos',
      protocolCode: '20001',
    }, 302);
    const id = await unitId(t, 'DRH');
    expect(res.headers.location).to.equal(`/administracao/unidades#unidade-${id}`);
    const tree = $((await admin.get('/administracao/unidades').expect(200)).text);
    expect(tree(`#unidade-${id} .app-tree-path`).text()).to.equal('PMT/SEGOV/DRH');
    const [entry] = await rows<{ action: string; after: { acronym: string } }>(t, `SELECT action, after FROM tenant.audit_log WHERE entity = 'unit' AND entity_id = $1`, [id]);
    expect(entry.action).to.equal('unit.create');
    expect(entry.after.acronym).to.equal('DRH');
  });

  it('refuses a duplicate sigla and a duplicate protocol code next to the fields, writing nothing', async () => {
    const before = await rows<{ n: number }>(t, 'SELECT count(*)::int AS n FROM tenant.units');
    const res = await postForm(admin, '/administracao/unidades/nova', '/administracao/unidades', {
      parentId: await unitId(t, 'PMT'),
      acronym: 'SEGOV',
      name: 'Outra Secretaria',
      protocolCode: '10001',
    }, 422);
    const page = $(res.text);
    expect(page('#acronym-error').text()).to.contain('A sigla SEGOV já é usada');
    expect(page('#protocolCode-error').text()).to.contain('já é usado pela unidade PMT');
    expect(page('#name').val()).to.equal('Outra Secretaria');
    expect(await rows<{ n: number }>(t, 'SELECT count(*)::int AS n FROM tenant.units')).to.deep.equal(before);
  });

  it('refuses a protocol code that is not 5 digits', async () => {
    const id = await unitId(t, 'SMS');
    const res = await postForm(admin, `/administracao/unidades/${id}`, `/administracao/unidades/${id}`, { acronym: 'SMS', name: 'Secretaria de Saúde', protocolCode: '123' }, 422);
    expect($(res.text)('#protocolCode-error').text()).to.contain('5 dígitos');
  });

  it('renames a unit while another session holds a NUL character (a refused form kept for the next page)', async () => {
    // The fuzzer sends "\u0000" in form fields; a session keeping such a field once made every unit
    // change of every tenant a 500 ("unsupported Unicode escape sequence" from a cast to jsonb).
    const sid = `nul-${Date.now()}`;
    const { sequelize } = testEnv();
    await sequelize.query("INSERT INTO platform.sessions (sid, sess, expire) VALUES ($1, $2::json, now() + interval '1 hour')", {
      bind: [sid, JSON.stringify({ cookie: {}, form: { name: 'a\u0000b' } })],
    });
    try {
      const id = await unitId(t, 'SEGOV');
      await postForm(admin, `/administracao/unidades/${id}`, `/administracao/unidades/${id}`, { acronym: 'SEGOV', name: 'Secretaria Municipal de Governo e Gestão', protocolCode: '' }, 302);
      const [u] = await rows<{ name: string }>(t, 'SELECT name FROM tenant.units WHERE id = $1', [id]);
      expect(u.name).to.equal('Secretaria Municipal de Governo e Gestão');
      const [kept] = await sequelize.query<{ sess: string }>('SELECT sess::text AS sess FROM platform.sessions WHERE sid = $1', { bind: [sid], type: QueryTypes.SELECT });
      expect(kept.sess).to.include('a\\u0000b');
    } finally {
      await sequelize.query('DELETE FROM platform.sessions WHERE sid = $1', { bind: [sid] });
    }
  });

  it('renames, changes the sigla, sets and clears the protocol code, keeping before/after in the audit log', async () => {
    const id = await unitId(t, 'SMS');
    await postForm(admin, `/administracao/unidades/${id}`, `/administracao/unidades/${id}`, { acronym: 'semsa', name: 'Secretaria Municipal de Saúde', protocolCode: '30003' }, 302);
    let [u] = await rows<{ acronym: string; name: string; protocol_code: string | null }>(t, 'SELECT acronym, name, protocol_code FROM tenant.units WHERE id = $1', [id]);
    expect(u).to.deep.equal({ acronym: 'SEMSA', name: 'Secretaria Municipal de Saúde', protocol_code: '30003' });
    await postForm(admin, `/administracao/unidades/${id}`, `/administracao/unidades/${id}`, { acronym: 'SEMSA', name: 'Secretaria Municipal de Saúde', protocolCode: '' }, 302);
    [u] = await rows(t, 'SELECT acronym, name, protocol_code FROM tenant.units WHERE id = $1', [id]);
    expect(u.protocol_code).to.equal(null);
    const entries = await rows<{ before: { acronym: string }; after: { acronym: string } }>(
      t,
      `SELECT before, after FROM tenant.audit_log WHERE action = 'unit.update' AND entity_id = $1 ORDER BY id`,
      [id],
    );
    expect(entries[0].before.acronym).to.equal('SMS');
    expect(entries[0].after.acronym).to.equal('SEMSA');
  });

  it('moves a unit under another parent', async () => {
    const id = await unitId(t, 'DRH');
    await postForm(admin, `/administracao/unidades/${id}`, `/administracao/unidades/${id}/mover`, { parentId: await unitId(t, 'SEMSA') }, 302);
    const [u] = await rows<{ parent: string }>(t, 'SELECT p.acronym AS parent FROM tenant.units u JOIN tenant.units p ON p.id = u.parent_id WHERE u.id = $1', [id]);
    expect(u.parent).to.equal('SEMSA');
  });

  it('refuses a move that would create a cycle (under itself or a descendant)', async () => {
    const semsa = await unitId(t, 'SEMSA');
    const drh = await unitId(t, 'DRH');
    for (const target of [drh, semsa]) {
      const res = await postForm(admin, `/administracao/unidades/${semsa}`, `/administracao/unidades/${semsa}/mover`, { parentId: target }, 422);
      expect($(res.text)('#parentId-error').text()).to.contain('criaria um ciclo');
    }
    const [u] = await rows<{ parent: string }>(t, 'SELECT p.acronym AS parent FROM tenant.units u JOIN tenant.units p ON p.id = u.parent_id WHERE u.id = $1', [semsa]);
    expect(u.parent).to.equal('PMT');
  });

  it('refuses to deactivate while a registered guard reports open processes, with the count and a link', async () => {
    const drh = await unitId(t, 'DRH');
    const unregister = registerUnitDeactivationGuard(async (id) => (id === drh ? { what: 'processos abertos', count: 3, link: `/processos?unidade=${id}&situacao=abertos` } : null));
    try {
      const res = await postForm(admin, `/administracao/unidades/${drh}`, `/administracao/unidades/${drh}/desativar`, {}, 409);
      const box = $(res.text)('[data-testid="deactivation-refused"]');
      expect(box.text()).to.contain('3 processos abertos');
      expect(box.find('a').attr('href')).to.equal(`/processos?unidade=${drh}&situacao=abertos`);
      const [u] = await rows<{ active: boolean }>(t, 'SELECT active FROM tenant.units WHERE id = $1', [drh]);
      expect(u.active).to.equal(true);
    } finally {
      unregister();
    }
  });

  it('refuses to deactivate a unit with active subunits', async () => {
    const semsa = await unitId(t, 'SEMSA');
    const res = await postForm(admin, `/administracao/unidades/${semsa}`, `/administracao/unidades/${semsa}/desativar`, {}, 409);
    expect($(res.text)('[data-testid="deactivation-refused"]').text()).to.contain('1 unidade subordinada ativa');
  });

  it('deactivates and reactivates a unit when nothing blocks it', async () => {
    const drh = await unitId(t, 'DRH');
    await postForm(admin, `/administracao/unidades/${drh}`, `/administracao/unidades/${drh}/desativar`, {}, 302);
    expect((await rows<{ active: boolean }>(t, 'SELECT active FROM tenant.units WHERE id = $1', [drh]))[0].active).to.equal(false);
    const page = $((await admin.get(`/administracao/unidades/${drh}`).expect(200)).text);
    expect(page('#main-content .br-tag').first().text()).to.equal('Desativada');
    await postForm(admin, `/administracao/unidades/${drh}`, `/administracao/unidades/${drh}/reativar`, {}, 302);
    expect((await rows<{ active: boolean }>(t, 'SELECT active FROM tenant.units WHERE id = $1', [drh]))[0].active).to.equal(true);
    const actions = await rows<{ action: string }>(t, `SELECT action FROM tenant.audit_log WHERE entity_id = $1 ORDER BY id`, [drh]);
    expect(actions.map((a) => a.action)).to.include.members(['unit.deactivate', 'unit.reactivate']);
  });

  it('refuses the administration pages to a user without the admin role (403) and hides the menu entry', async () => {
    const clerk = await loggedInAs(t, 'clerk');
    const home = $((await clerk.get('/').expect(200)).text);
    expect(home('a[href="/administracao"]').length).to.equal(0);
    for (const path of ['/administracao', '/administracao/unidades', '/administracao/unidades/exportar.csv']) {
      const res = await clerk.get(path).expect(403);
      expect($(res.text)('h1').text()).to.equal('Acesso negado');
    }
    const adminHome = $((await admin.get('/').expect(200)).text);
    expect(adminHome('nav a[href="/administracao"]').text()).to.equal('Administração');
  });

  it('shows a renamed or deactivated unit in the header of open sessions on their next request', async () => {
    const clerk = await loggedInAs(t, 'clerk');
    const segov = await unitId(t, 'SEGOV');
    await postForm(admin, `/administracao/unidades/${segov}`, `/administracao/unidades/${segov}`, { acronym: 'SEGOVM', name: 'Secretaria Municipal de Governo', protocolCode: '' }, 302);
    expect($((await clerk.get('/').expect(200)).text)('[data-testid="current-unit"]').text()).to.equal('SEGOVM');
    await postForm(admin, `/administracao/unidades/${segov}`, `/administracao/unidades/${segov}/desativar`, {}, 302);
    expect($((await clerk.get('/').expect(200)).text)('#main-content').text()).to.contain('Você ainda não tem unidade');
    await postForm(admin, `/administracao/unidades/${segov}`, `/administracao/unidades/${segov}/reativar`, {}, 302);
    await postForm(admin, `/administracao/unidades/${segov}`, `/administracao/unidades/${segov}`, { acronym: 'SEGOV', name: 'Secretaria de Governo', protocolCode: '' }, 302);
  });

  it('sends an anonymous visitor to the login page', async () => {
    const res = await agentFor(t.host).get('/administracao/unidades').expect(302);
    expect(res.headers.location).to.equal('/login?next=%2Fadministracao%2Funidades');
  });
});
