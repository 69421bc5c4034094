import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { numberingYear } from '../../../server/processes/numbering';
import { testEnv } from '../../support/environment';
import { $, csrfFrom } from '../../support/http';
import { createViaHttp, loggedIn, processTenant } from '../../support/processes-http';
import { idsOf, tenantQuery, type TenantIds } from '../../support/processes';
import type { TestTenant } from '../../support/tenants';

describe('Integration - processes/create (Iniciar processo)', () => {
  let t: TestTenant;
  let ids: TenantIds;

  before(async () => {
    t = await processTenant();
    ids = await idsOf(t);
  });

  async function submit(fields: Record<string, string>) {
    const agent = await loggedIn(t, 'servidor');
    const form = await agent.get('/processos/novo').expect(200);
    const res = await agent
      .post('/processos')
      .type('form')
      .send({
        _csrf: csrfFrom(form.text),
        processTypeId: ids.types['Licitação: pregão eletrônico'],
        specification: 'Pregão para papel A4',
        partyName0: 'Papelaria Central Ltda',
        accessLevel: 'public',
        ...fields,
      });
    // A refused form is shown again at its own address (POST/redirect/GET), with the input kept.
    if (res.status === 303 && res.headers.location === '/processos/novo') return agent.get('/processos/novo');
    return res;
  }

  it('creates a process in the current unit with a NUP under the nearest protocolizing ancestor, and lands on its page', async () => {
    const agent = await loggedIn(t, 'servidor');
    const created = await createViaHttp(agent, { partyName1: 'Maria da Silva', partyDocument1: '529.982.247-25' });
    expect(created.number).to.match(new RegExp(`^10001\\.\\d{6}/${numberingYear()}-\\d{2}$`));
    const page = $((await agent.get(`/processos/${created.id}`)).text);
    expect(page('[data-testid="process-header"]').text()).to.contain('Maria da Silva — 529.982.247-25');
    expect(page('[data-testid="open-units"]').text().trim()).to.equal('SEGOV');
    expect(page('[data-testid="history"] tbody tr').first().text()).to.contain('Processo gerado');
    const [row] = await tenantQuery<{ origin_unit_id: string; list: string; open: boolean }>(
      t,
      'SELECT p.origin_unit_id, pu.list, pu.open FROM processes p JOIN process_units pu ON pu.process_id = p.id WHERE p.id = $1',
      [created.id],
    );
    expect(row).to.deep.equal({ origin_unit_id: ids.units.SEGOV, list: 'created', open: true });
  });

  it('refuses an invalid CPF next to the field, keeping the input and writing nothing', async () => {
    const before = await tenantQuery<{ n: string }>(t, 'SELECT count(*) AS n FROM processes');
    const res = await submit({ partyDocument0: '529.982.247-24', specification: 'Deve falhar' });
    expect(res.status).to.equal(422);
    const page = $(res.text);
    expect(page('#partyDocument0-error').text()).to.contain('CPF inválido');
    expect(page('#partyDocument0').val()).to.equal('529.982.247-24');
    expect(page('#specification').val()).to.equal('Deve falhar');
    expect(page('#error-summary a[href="#partyDocument0"]').length).to.equal(1);
    const after = await tenantQuery<{ n: string }>(t, 'SELECT count(*) AS n FROM processes');
    expect(after[0].n).to.equal(before[0].n);
  });

  it('requires a legal basis for restrito and a grau for sigiloso, and only levels the type allows', async () => {
    const restricted = await submit({ accessLevel: 'restricted' });
    expect(restricted.status).to.equal(422);
    expect($(restricted.text)('#legalBasisId-error').text()).to.contain('hipótese legal');
    const secret = await submit({ processTypeId: ids.types['Processo administrativo disciplinar'], accessLevel: 'secret', legalBasisId: '1' });
    expect(secret.status).to.equal(422);
    expect($(secret.text)('#secrecyGrade-error').text()).to.contain('grau de sigilo');
    const notAllowed = await submit({ processTypeId: ids.types['Convênio e parceria'], accessLevel: 'restricted', legalBasisId: '1' });
    expect(notAllowed.status).to.equal(422);
    expect($(notAllowed.text)('#accessLevel-error').text()).to.contain('não admite');
  });

  it('requires at least one interessado and an especificação of at most 100 characters', async () => {
    const res = await submit({ partyName0: '', specification: 'x'.repeat(101) });
    expect(res.status).to.equal(422);
    expect($(res.text)('#partyName0-error').text()).to.contain('ao menos um interessado');
    expect($(res.text)('#specification-error').text()).to.contain('100 caracteres');
  });

  it('registers an older process with a valid informed number and refuses an invalid or repeated one', async () => {
    const ok = await submit({ numberingMode: 'informed', informedNumber: '12345.000017/2025-10' });
    expect(ok.status).to.equal(302);
    const repeated = await submit({ numberingMode: 'informed', informedNumber: '12345.000017/2025-10' });
    expect(repeated.status).to.equal(422);
    expect($(repeated.text)('#informedNumber-error').text()).to.contain('Já existe um processo com este número');
    const wrong = await submit({ numberingMode: 'informed', informedNumber: '12345.000017/2025-11' });
    expect(wrong.status).to.equal(422);
    expect($(wrong.text)('#informedNumber-error').text()).to.contain('dígitos verificadores');
    const format = await submit({ numberingMode: 'informed', informedNumber: '2025/17' });
    expect($(format.text)('#informedNumber-error').text()).to.contain('formato');
  });

  it('gives 50 processes created at once through HTTP in one unit 50 consecutive numbers', async () => {
    const other = await processTenant();
    const oIds = await idsOf(other);
    const agents = await Promise.all([loggedIn(other, 'servidor'), loggedIn(other, 'colega')]);
    const forms = await Promise.all(agents.map((a) => a.get('/processos/novo')));
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        agents[i % 2]
          .post('/processos')
          .type('form')
          .send({ _csrf: csrfFrom(forms[i % 2].text), processTypeId: oIds.types['Licitação: pregão eletrônico'], specification: `Pedido ${i}`, partyName0: 'Fornecedor', accessLevel: 'public' }),
      ),
    );
    responses.forEach((r) => expect(r.status).to.equal(302));
    const rows = await tenantQuery<{ number: string }>(other, 'SELECT number FROM processes ORDER BY number');
    expect(rows.map((r) => Number(r.number.slice(6, 12)))).to.deep.equal(Array.from({ length: 50 }, (_, i) => i + 1));
    const [fig] = await testEnv().sequelize.query<{ processes: string }>('SELECT processes FROM platform.tenant_figures WHERE tenant_id = $1', {
      bind: [other.tenant.id],
      type: QueryTypes.SELECT,
    });
    expect(Number(fig.processes)).to.equal(50);
  });

  it('suggests the tenant\'s previous interessados by name prefix or CPF/CNPJ prefix', async () => {
    const agent = await loggedIn(t, 'sofia');
    const byName = await agent.get('/api/processos/interessados?q=mar').expect(200);
    expect(byName.body).to.deep.include({ name: 'Maria da Silva', document: '52998224725' });
    const byDoc = await agent.get('/api/processos/interessados?q=5299').expect(200);
    expect(byDoc.body.map((r: { name: string }) => r.name)).to.include('Maria da Silva');
  });

  it('refuses a creation without the CSRF token', async () => {
    const agent = await loggedIn(t, 'servidor');
    const res = await agent.post('/processos').type('form').send({ processTypeId: ids.types['Licitação: pregão eletrônico'], specification: 'x', partyName0: 'y', accessLevel: 'public' });
    expect(res.status).to.equal(403);
  });

  it('sends an anonymous visitor to the login page', async () => {
    const { agentFor } = await import('../../support/http');
    const res = await agentFor(t.host).get('/processos/novo');
    expect(res.status).to.equal(302);
    expect(res.headers.location).to.match(/^\/login/);
  });
});
