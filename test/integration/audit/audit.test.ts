import { expect } from 'chai';
import { loggedInAs, tenantWithAdmin } from '../../support/fixtures';
import { $, csrfFrom, type Agent } from '../../support/http';
import type { TestTenant } from '../../support/tenants';

describe('Integration - audit/log page', () => {
  let t: TestTenant;
  let admin: Agent;

  before(async () => {
    ({ t, admin } = await tenantWithAdmin());
    const form = await admin.get('/administracao/hipoteses-legais/novo').expect(200);
    await admin.post('/administracao/hipoteses-legais').type('form').send({ _csrf: csrfFrom(form.text), name: 'Sigilo industrial', basis: 'Art. 22 da Lei nº 12.527/2011' }).expect(302);
  });

  it('shows who changed what, with before/after, and filters by entity, action and author', async () => {
    const page = $((await admin.get('/administracao/auditoria?entidade=legal_basis').expect(200)).text);
    const row = page('[data-testid="audit"] tbody tr').first();
    expect(row.find('td').eq(0).text()).to.equal('Administradora de Teste');
    expect(row.find('td').eq(1).text()).to.equal('legal_basis.create');
    expect(row.find('td').eq(4).text()).to.contain('"name": "Sigilo industrial"');
    expect(row.find('th').text()).to.match(/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/);
    const logins = $((await admin.get('/administracao/auditoria?acao=user.login').expect(200)).text);
    expect(logins('[data-testid="audit"] tbody td:nth-child(3)').map((_i, el) => logins(el).text()).get()).to.satisfy((a: string[]) => a.length > 0 && a.every((x) => x === 'user.login'));
    const none = $((await admin.get('/administracao/auditoria?entidade=legal_basis&de=2000-01-01&ate=2000-01-02').expect(200)).text);
    expect(none('[data-testid="audit"] tbody td').first().text()).to.equal('Nenhum registro com estes filtros.');
  });

  it('is refused to a user without the admin role', async () => {
    const clerk = await loggedInAs(t, 'clerk');
    await clerk.get('/administracao/auditoria').expect(403);
  });
});
