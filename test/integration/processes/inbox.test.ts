import { expect } from 'chai';
import { openProcessCountInUnit, openProcessesUrl } from '../../../server/processes/create';
import { runWithTenant } from '../../../server/tenancy/context';
import { $ } from '../../support/http';
import { createProcessAs, idsOf, processInput, tenantQuery, type TenantIds } from '../../support/processes';
import { emailOf, loggedIn, processTenant } from '../../support/processes-http';
import type { TestTenant } from '../../support/tenants';

describe('Integration - processes/inbox (Controle de processos)', () => {
  let t: TestTenant;
  let ids: TenantIds;
  let actor: { userId: string; unitId: string };

  before(async () => {
    t = await processTenant();
    ids = await idsOf(t);
    actor = { userId: ids.users[emailOf(t, 'servidor')], unitId: ids.units.SEGOV };
    for (let i = 0; i < 30; i += 1) await createProcessAs(t, actor, processInput(ids, { specification: `Pregão ${i}` }));
    for (let i = 0; i < 3; i += 1) await createProcessAs(t, actor, processInput(ids, { processTypeId: ids.types['Convênio e parceria'], specification: `Convênio ${i}` }));
  });

  function numbersOf(html: string, list: string): string[] {
    const page = $(html);
    return page(`[data-testid="list-${list}"] tbody th a`).map((_, el) => page(el).text().replace(' (não lido)', '')).get();
  }

  it('pages the Gerados list 25 at a time, newest first, with no repeats and a bounded count', async () => {
    const clerk = await loggedIn(t, 'servidor');
    const first = await clerk.get('/').expect(200);
    const firstNumbers = numbersOf(first.text, 'created');
    expect(firstNumbers).to.have.length(25);
    expect($(first.text)('[data-testid="count-created"]').text()).to.contain('33 processos');
    const next = $(first.text)('[data-testid="next-created"]').attr('href') as string;
    const second = await clerk.get(next).expect(200);
    const secondNumbers = numbersOf(second.text, 'created');
    expect(secondNumbers).to.have.length(8);
    const all = [...firstNumbers, ...secondNumbers];
    expect(new Set(all).size).to.equal(33);
    const sequences = all.map((n) => Number(n.slice(6, 12)));
    expect(sequences).to.deep.equal([...sequences].sort((a, b) => b - a));
    expect($(second.text)('[data-testid="next-created"]').length).to.equal(0);
  });

  it('filters by type, by "atribuídos a mim" and by overdue retorno programado', async () => {
    const clerk = await loggedIn(t, 'servidor');
    const byType = await clerk.get(`/?tipo=${ids.types['Convênio e parceria']}`).expect(200);
    expect(numbersOf(byType.text, 'created')).to.have.length(3);
    const [one, two] = await tenantQuery<{ process_id: string }>(t, 'SELECT process_id FROM process_units WHERE unit_id = $1 ORDER BY process_id LIMIT 2', [ids.units.SEGOV]);
    await tenantQuery(t, 'UPDATE process_units SET assigned_user_id = $1 WHERE process_id = $2 AND unit_id = $3', [actor.userId, one.process_id, ids.units.SEGOV]);
    await tenantQuery(t, "UPDATE process_units SET expected_return = '2020-01-01' WHERE process_id = $1 AND unit_id = $2", [two.process_id, ids.units.SEGOV]);
    const mine = await clerk.get('/?atribuidos=1').expect(200);
    expect($(mine.text)('[data-testid="list-created"] tbody tr[data-process-id]').map((_, el) => $(mine.text)(el).attr('data-process-id')).get()).to.deep.equal([one.process_id]);
    const overdue = await clerk.get('/?atrasados=1').expect(200);
    const row = $(overdue.text)(`[data-testid="list-created"] tr[data-process-id="${two.process_id}"]`);
    expect(row.text()).to.contain('01/01/2020');
    expect(row.text()).to.contain('Atrasado');
    expect($(overdue.text)('[data-testid="list-created"] tbody tr[data-process-id]').length).to.equal(1);
  });

  it('ignores a tampered cursor instead of failing', async () => {
    const clerk = await loggedIn(t, 'servidor');
    const res = await clerk.get("/?gerados=2026-01-01'%3B--|1").expect(200);
    expect(numbersOf(res.text, 'created')).to.have.length(25);
  });

  it('shows an empty Recebidos list in a unit with nothing received, and nothing of other units', async () => {
    const ana = await loggedIn(t, 'ana');
    const res = await ana.get('/').expect(200);
    expect($(res.text)('[data-testid="list-received"] tbody').text()).to.contain('Nenhum processo recebido');
    expect(numbersOf(res.text, 'created')).to.have.length(0);
  });

  it('exposes the open count of a unit and where to list them (for deactivating units)', async () => {
    const n = await runWithTenant(t.tenant, () => openProcessCountInUnit(ids.units.SEGOV));
    expect(n).to.equal(33);
    expect(await runWithTenant(t.tenant, () => openProcessCountInUnit(ids.units.SEAD))).to.equal(0);
    expect(openProcessesUrl(ids.units.SEGOV)).to.equal(`/?unidade=${ids.units.SEGOV}`);
  });
});
