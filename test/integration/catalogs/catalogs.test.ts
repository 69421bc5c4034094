import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { loggedInAs, tenantWithAdmin } from '../../support/fixtures';
import { testEnv } from '../../support/environment';
import { $, type Agent, postForm } from '../../support/http';
import type { TestTenant } from '../../support/tenants';

async function one<T extends object>(t: TestTenant, sql: string, bind: unknown[] = []): Promise<T> {
  const [row] = await testEnv().sequelize.query<T>(sql.replaceAll('tenant.', `"${t.tenant.schema}".`), { bind, type: QueryTypes.SELECT });
  return row;
}

describe('Integration - catalogs/administration', () => {
  let t: TestTenant;
  let admin: Agent;

  before(async () => {
    ({ t, admin } = await tenantWithAdmin());
  });

  it('lists the defaults seeded at provisioning', async () => {
    for (const [path, name] of [
      ['/administracao/tipos-de-processo', 'Requerimento geral'],
      ['/administracao/tipos-de-documento', 'Ofício'],
      ['/administracao/hipoteses-legais', 'Informação pessoal'],
    ]) {
      const page = $((await admin.get(path).expect(200)).text);
      expect(page('[data-testid="catalog"] tbody th').map((_i, el) => page(el).text()).get()).to.include(name);
    }
  });

  it('creates a process type with its access levels, default and legal basis', async () => {
    const basis = await one<{ id: string }>(t, `SELECT id::text FROM tenant.legal_bases WHERE name = 'Informação pessoal'`);
    await postForm(admin, '/administracao/tipos-de-processo/novo', '/administracao/tipos-de-processo', {
      name: 'Certidão de tempo de serviço',
      description: 'Emissão de certidões a servidores.',
      allowedAccessLevels: ['public', 'restricted'],
      defaultAccessLevel: 'restricted',
      defaultLegalBasisId: basis.id,
    }, 302);
    const row = await one<{ allowed_access_levels: string[]; default_access_level: string; default_legal_basis_id: string }>(
      t,
      `SELECT allowed_access_levels, default_access_level, default_legal_basis_id::text FROM tenant.process_types WHERE name = 'Certidão de tempo de serviço'`,
    );
    expect(row).to.deep.equal({ allowed_access_levels: ['public', 'restricted'], default_access_level: 'restricted', default_legal_basis_id: basis.id });
  });

  it('refuses a default level outside the allowed ones, a restricted default without legal basis, and a duplicate name', async () => {
    const res = await postForm(admin, '/administracao/tipos-de-processo/novo', '/administracao/tipos-de-processo', { name: 'Tipo novo', allowedAccessLevels: 'public', defaultAccessLevel: 'secret', defaultLegalBasisId: '' }, 422);
    const page = $(res.text);
    expect(page('#defaultAccessLevel-error').text()).to.contain('entre os permitidos');
    expect(page('#defaultLegalBasisId-error').text()).to.contain('pede uma hipótese legal');
    const dup = await postForm(admin, '/administracao/tipos-de-processo/novo', '/administracao/tipos-de-processo', { name: 'requerimento GERAL', allowedAccessLevels: 'public', defaultAccessLevel: 'public' }, 422);
    expect($(dup.text)('#name-error').text()).to.contain('Já existe');
  });

  it('creates a numbered document type and refuses a format without {n} or with an unknown marker', async () => {
    const bad = await postForm(admin, '/administracao/tipos-de-documento/novo', '/administracao/tipos-de-documento', { name: 'Circular', usage: 'internal', numbered: 'sim', numberFormat: 'Circular {ano}' }, 422);
    expect($(bad.text)('#numberFormat-error').text()).to.contain('{n}');
    const unknown = await postForm(admin, '/administracao/tipos-de-documento/novo', '/administracao/tipos-de-documento', { name: 'Circular', usage: 'internal', numbered: 'sim', numberFormat: 'Circular {n}/{mes}' }, 422);
    expect($(unknown.text)('#numberFormat-error').text()).to.contain('{mes}');
    await postForm(admin, '/administracao/tipos-de-documento/novo', '/administracao/tipos-de-documento', { name: 'Circular', usage: 'internal', numbered: 'sim', numberFormat: 'Circular nº {n}/{ano}/{sigla}' }, 302);
    const row = await one<{ numbered: boolean; number_format: string; usage: string }>(t, `SELECT numbered, number_format, usage FROM tenant.document_types WHERE name = 'Circular'`);
    expect(row).to.deep.equal({ numbered: true, number_format: 'Circular nº {n}/{ano}/{sigla}', usage: 'internal' });
  });

  it('sanitises a document template on the server (stored and shown without script or handlers)', async () => {
    await postForm(admin, '/administracao/tipos-de-documento/novo', '/administracao/tipos-de-documento', {
      name: 'Comunicado',
      usage: 'both',
      template: '<p onmouseover="alert(1)">Em {{data}}, {{unidade}}</p><script>alert(2)</script><img src="https://evil.example/x.png"><a href="javascript:alert(3)">x</a>',
    }, 302);
    const row = await one<{ id: string; template: string }>(t, `SELECT id::text, template FROM tenant.document_types WHERE name = 'Comunicado'`);
    expect(row.template).to.equal('<p>Em {{data}}, {{unidade}}</p><a>x</a>');
    const page = $((await admin.get(`/administracao/tipos-de-documento/${row.id}`).expect(200)).text);
    expect(page('[data-testid="template-preview"]').html()).to.equal('<p>Em {{data}}, {{unidade}}</p><a>x</a>');
    // A refused edit re-renders the raw input in the textarea only, never as HTML.
    const res = await postForm(admin, `/administracao/tipos-de-documento/${row.id}`, `/administracao/tipos-de-documento/${row.id}`, { name: '', usage: 'both', template: '<script>alert(4)</script><p>b</p>' }, 422);
    const again = $(res.text);
    expect(again('[data-testid="template-preview"]').html()).to.equal('<p>b</p>');
    expect(again('script:not([src])').length).to.equal(0);
  });

  it('deactivates a legal basis (kept, hidden from new use) and reactivates it, with audit entries', async () => {
    await postForm(admin, '/administracao/hipoteses-legais/novo', '/administracao/hipoteses-legais', { name: 'Sigilo empresarial', basis: 'Art. 22 da Lei nº 12.527/2011' }, 302);
    const basis = await one<{ id: string }>(t, `SELECT id::text FROM tenant.legal_bases WHERE name = 'Sigilo empresarial'`);
    await postForm(admin, `/administracao/hipoteses-legais/${basis.id}`, `/administracao/hipoteses-legais/${basis.id}/desativar`, {}, 302);
    expect((await one<{ active: boolean }>(t, 'SELECT active FROM tenant.legal_bases WHERE id = $1', [basis.id])).active).to.equal(false);
    const form = $((await admin.get('/administracao/tipos-de-processo/novo').expect(200)).text);
    expect(form('#defaultLegalBasisId option').map((_i, el) => form(el).text()).get()).to.not.include('Sigilo empresarial');
    await postForm(admin, `/administracao/hipoteses-legais/${basis.id}`, `/administracao/hipoteses-legais/${basis.id}/reativar`, {}, 302);
    const audit = await one<{ a: string }>(t, `SELECT string_agg(action, ',' ORDER BY id) AS a FROM tenant.audit_log WHERE entity = 'legal_basis' AND entity_id = $1`, [basis.id]);
    expect(audit.a).to.equal('legal_basis.create,legal_basis.deactivate,legal_basis.reactivate');
  });

  it('refuses the catalogs to a user without the admin role', async () => {
    const clerk = await loggedInAs(t, 'clerk');
    for (const path of ['/administracao/tipos-de-processo', '/administracao/tipos-de-documento/novo', '/administracao/hipoteses-legais']) await clerk.get(path).expect(403);
  });
});
