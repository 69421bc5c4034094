import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { OutboxMessage } from '../../../server/models';
import { loggedInAs, tenantWithAdmin } from '../../support/fixtures';
import { testEnv } from '../../support/environment';
import { $, agentFor, csrfFrom, login, type Agent, postForm } from '../../support/http';
import type { TestTenant } from '../../support/tenants';

async function one<T extends object>(t: TestTenant, sql: string, bind: unknown[] = []): Promise<T> {
  const [row] = await testEnv().sequelize.query<T>(sql.replaceAll('tenant.', `"${t.tenant.schema}".`), { bind, type: QueryTypes.SELECT });
  return row;
}

const idOf = async (t: TestTenant, table: 'units' | 'users', where: string, value: string): Promise<string> =>
  (await one<{ id: string }>(t, `SELECT id::text FROM tenant.${table} WHERE ${where} = $1`, [value])).id;

describe('Integration - people/administration', () => {
  let t: TestTenant;
  let admin: Agent;

  before(async () => {
    ({ t, admin } = await tenantWithAdmin());
  });

  it('invites a user with units and roles: no password yet, an e-mail with a link, an audit entry', async () => {
    const res = await postForm(admin, '/administracao/usuarios/convidar', '/administracao/usuarios', {
      name: 'Maria da Silva',
      email: 'Maria.Silva@teste.gov.br',
      cpf: '529.982.247-25',
      unitId: [await idOf(t, 'units', 'acronym', 'SEGOV'), await idOf(t, 'units', 'acronym', 'SMS'), ''],
      role: ['admin', 'protocol', 'basic'],
    }, 302);
    const id = await idOf(t, 'users', 'email', 'maria.silva@teste.gov.br');
    expect(res.headers.location).to.equal(`/administracao/usuarios/${id}`);
    const user = await one<{ cpf: string; password_hash: string | null; roles: string }>(
      t,
      `SELECT u.cpf, u.password_hash, string_agg(un.acronym || ':' || m.role, ',' ORDER BY un.acronym) AS roles
         FROM tenant.users u JOIN tenant.user_units m ON m.user_id = u.id JOIN tenant.units un ON un.id = m.unit_id WHERE u.id = $1 GROUP BY u.id`,
      [id],
    );
    expect(user).to.deep.equal({ cpf: '52998224725', password_hash: null, roles: 'SEGOV:admin,SMS:protocol' });
    const mail = await OutboxMessage.findOne({ where: { toAddress: 'maria.silva@teste.gov.br' } });
    expect(mail?.subject).to.match(/^Convite/);
    expect(mail?.text).to.match(/definir-senha\?token=/);
    const audit = await one<{ action: string }>(t, `SELECT action FROM tenant.audit_log WHERE entity = 'user' AND entity_id = $1`, [id]);
    expect(audit.action).to.equal('user.invite');
    const page = $((await admin.get(res.headers.location).expect(200)).text);
    expect(page('[data-testid="flash"]').text()).to.contain('Convite enviado por e-mail.');
    expect(page('[data-testid="user-state"]').text()).to.equal('Convite pendente');
  });

  it('refuses an invitation with a used e-mail, a bad CPF or no unit, keeping the input and writing nothing', async () => {
    const before = await one<{ n: number }>(t, 'SELECT count(*)::int AS n FROM tenant.users');
    const res = await postForm(admin, '/administracao/usuarios/convidar', '/administracao/usuarios', { name: 'Outra', email: t.clerk.email, cpf: '111.111.111-11', unitId: ['', '', ''], role: ['basic', 'basic', 'basic'] }, 422);
    const page = $(res.text);
    expect(page('#cpf-error').text()).to.contain('CPF inválido');
    expect(page('#unitId0-error').text()).to.contain('pelo menos uma unidade');
    expect(page('#email').val()).to.equal(t.clerk.email);
    const dup = await postForm(admin, '/administracao/usuarios/convidar', '/administracao/usuarios', { name: 'Outra Pessoa', email: t.clerk.email, unitId: [await idOf(t, 'units', 'acronym', 'SMS')], role: ['basic'] }, 422);
    expect($(dup.text)('#email-error').text()).to.contain('Já existe um usuário com este e-mail');
    expect(await one(t, 'SELECT count(*)::int AS n FROM tenant.users')).to.deep.equal(before);
  });

  it('resends an invitation with a new link', async () => {
    const id = await idOf(t, 'users', 'email', 'maria.silva@teste.gov.br');
    await postForm(admin, `/administracao/usuarios/${id}`, `/administracao/usuarios/${id}/reenviar-convite`, {}, 302);
    expect(await OutboxMessage.count({ where: { toAddress: 'maria.silva@teste.gov.br' } })).to.equal(2);
  });

  it('lists users with search and filters by unit, role and state', async () => {
    const names = async (query: string): Promise<string[]> => {
      const page = $((await admin.get(`/administracao/usuarios${query}`).expect(200)).text);
      return page('[data-testid="users"] tbody th').map((_i, el) => page(el).text()).get();
    };
    expect(await names('')).to.deep.equal(['Administradora de Teste', 'Maria da Silva', 'Servidor de Teste']);
    expect(await names('?q=silva')).to.deep.equal(['Maria da Silva']);
    expect(await names('?q=5299822')).to.deep.equal(['Maria da Silva']);
    expect(await names(`?unidade=${await idOf(t, 'units', 'acronym', 'SEGOV')}`)).to.deep.equal(['Maria da Silva', 'Servidor de Teste']);
    expect(await names('?perfil=admin')).to.deep.equal(['Administradora de Teste', 'Maria da Silva']);
    expect(await names('?situacao=inativos')).to.deep.equal([]);
  });

  it('changes roles per unit, and an open session of that user sees them on its next request', async () => {
    const clerk = await loggedInAs(t, 'clerk');
    await clerk.get('/administracao').expect(403);
    const id = await idOf(t, 'users', 'email', t.clerk.email);
    await postForm(admin, `/administracao/usuarios/${id}`, `/administracao/usuarios/${id}/perfis`, { unitId: await idOf(t, 'units', 'acronym', 'SEGOV'), role: 'admin' }, 302);
    const home = $((await clerk.get('/').expect(200)).text);
    expect(home('nav a[href="/administracao"]').length).to.equal(1);
    await clerk.get('/administracao').expect(200);
    const membership = await one<{ id: string }>(t, `SELECT id::text FROM tenant.user_units WHERE user_id = $1 AND role = 'admin'`, [id]);
    await postForm(admin, `/administracao/usuarios/${id}`, `/administracao/usuarios/${id}/perfis/${membership.id}/remover`, {}, 302);
    await clerk.get('/administracao').expect(403);
    const actions = await one<{ a: string }>(t, `SELECT string_agg(action, ',' ORDER BY id) AS a FROM tenant.audit_log WHERE entity_id = $1 AND action LIKE 'user.role%'`, [id]);
    expect(actions.a).to.equal('user.role_add,user.role_remove');
  });

  it('refuses to remove the last administrator', async () => {
    const id = await idOf(t, 'users', 'email', 'maria.silva@teste.gov.br');
    const m = await one<{ id: string }>(t, `SELECT id::text FROM tenant.user_units WHERE user_id = $1 AND role = 'admin'`, [id]);
    await postForm(admin, `/administracao/usuarios/${id}`, `/administracao/usuarios/${id}/perfis/${m.id}/remover`, {}, 302);
    const adminId = await idOf(t, 'users', 'email', t.admin.email);
    const own = await one<{ id: string }>(t, `SELECT id::text FROM tenant.user_units WHERE user_id = $1 AND role = 'admin'`, [adminId]);
    const res = await postForm(admin, `/administracao/usuarios/${adminId}`, `/administracao/usuarios/${adminId}/perfis/${own.id}/remover`, {}, 409);
    expect($(res.text)('.br-message').text()).to.contain('sem nenhum administrador');
  });

  it('manages the cargos a user signs under', async () => {
    const id = await idOf(t, 'users', 'email', t.clerk.email);
    await postForm(admin, `/administracao/usuarios/${id}`, `/administracao/usuarios/${id}/cargos`, { title: 'Secretário Municipal de Governo' }, 302);
    const dup = await postForm(admin, `/administracao/usuarios/${id}`, `/administracao/usuarios/${id}/cargos`, { title: 'secretário municipal de governo' }, 422);
    expect($(dup.text)('#title-error').text()).to.contain('já tem este cargo');
    const p = await one<{ id: string }>(t, 'SELECT id::text FROM tenant.user_positions WHERE user_id = $1', [id]);
    await postForm(admin, `/administracao/usuarios/${id}`, `/administracao/usuarios/${id}/cargos/${p.id}/remover`, {}, 302);
    const row = await one<{ active: boolean }>(t, 'SELECT active FROM tenant.user_positions WHERE id = $1', [p.id]);
    expect(row.active).to.equal(false);
  });

  it('deactivates a user: their open session is anonymous on its next request, and they cannot log in', async () => {
    const clerk = await loggedInAs(t, 'clerk');
    await clerk.get('/').expect(200);
    const id = await idOf(t, 'users', 'email', t.clerk.email);
    await postForm(admin, `/administracao/usuarios/${id}`, `/administracao/usuarios/${id}/desativar`, {}, 302);
    const res = await clerk.get('/').expect(302);
    expect(res.headers.location).to.equal('/login?next=%2F');
    expect((await login(agentFor(t.host), t.clerk.email, t.clerk.password)).status).to.equal(401);
    const audit = await one<{ before: object; after: object }>(t, `SELECT before, after FROM tenant.audit_log WHERE action = 'user.deactivate' AND entity_id = $1`, [id]);
    expect(audit).to.deep.equal({ before: { active: true }, after: { active: false } });
    await postForm(admin, `/administracao/usuarios/${id}`, `/administracao/usuarios/${id}/reativar`, {}, 302);
    expect((await login(agentFor(t.host), t.clerk.email, t.clerk.password)).status).to.equal(302);
  });

  it('records, refuses a duplicate of, and clears the CPF a user signs in with gov.br under', async () => {
    const clerk = await idOf(t, 'users', 'email', t.clerk.email);
    const page = `/administracao/usuarios/${clerk}`;
    await postForm(admin, page, `${page}/cpf`, { cpf: '111.444.777-35' }, 302);
    expect((await one<{ cpf: string }>(t, 'SELECT cpf FROM tenant.users WHERE id = $1', [clerk])).cpf).to.equal('11144477735');
    const adminId = await idOf(t, 'users', 'email', t.admin.email);
    const dup = await postForm(admin, `/administracao/usuarios/${adminId}`, `/administracao/usuarios/${adminId}/cpf`, { cpf: '11144477735' }, 422);
    expect($(dup.text)('#cpf-error').text()).to.contain('Outro usuário já tem este CPF');
    const bad = await postForm(admin, page, `${page}/cpf`, { cpf: '123.456.789-00' }, 422);
    expect($(bad.text)('#cpf-error').text()).to.contain('CPF inválido');
    expect((await one<{ cpf: string | null }>(t, 'SELECT cpf FROM tenant.users WHERE id = $1', [adminId])).cpf).to.equal(null);
    await postForm(admin, page, `${page}/cpf`, { cpf: '' }, 302);
    expect((await one<{ cpf: string | null }>(t, 'SELECT cpf FROM tenant.users WHERE id = $1', [clerk])).cpf).to.equal(null);
    await postForm(admin, page, '/administracao/usuarios/abc/cpf', { cpf: '' }, 404);
  });

  it('refuses the people pages and actions to a user without the admin role', async () => {
    const clerk = await loggedInAs(t, 'clerk');
    await clerk.get('/administracao/usuarios').expect(403);
    const _csrf = csrfFrom((await clerk.get('/').expect(200)).text);
    const adminId = await idOf(t, 'users', 'email', t.admin.email);
    await clerk.post(`/administracao/usuarios/${adminId}/desativar`).type('form').send({ _csrf }).expect(403);
    expect((await one<{ active: boolean }>(t, 'SELECT active FROM tenant.users WHERE id = $1', [adminId])).active).to.equal(true);
  });
});
