import { expect } from 'chai';
import { $, csrfFrom } from '../../support/http';
import { createProcessAs, idsOf, processInput, tenantQuery } from '../../support/processes';
import { createTestTenant } from '../../support/tenants';
import { loggedInAs } from '../../support/fixtures';

describe('Integration - units/deactivation with open processes (the real processes guard)', () => {
  it('refuses to deactivate a unit where a process is open, with the count and a link, and changes nothing', async () => {
    const t = await createTestTenant();
    const ids = await idsOf(t);
    const sms = ids.units.SMS;
    const adminAgent = await loggedInAs(t, 'admin');
    await createProcessAs(t, { userId: ids.users[t.admin.email], unitId: sms }, processInput(ids));
    const page = await adminAgent.get(`/administracao/unidades/${sms}`).expect(200);
    const res = await adminAgent.post(`/administracao/unidades/${sms}/desativar`).type('form').send({ _csrf: csrfFrom(page.text) }).expect(409);
    const box = $(res.text)('[data-testid="deactivation-refused"]');
    expect(box.text()).to.contain('1 processo aberto');
    expect(box.find('a').attr('href')).to.contain(sms);
    const [unit] = await tenantQuery<{ active: boolean }>(t, 'SELECT active FROM units WHERE id = $1', [sms]);
    expect(unit.active).to.equal(true);
  });
});
