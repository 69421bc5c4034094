import { expect } from 'chai';
import { concludeProcess, reopenProcess } from '../../../server/processes/actions';
import { todayInSaoPaulo } from '../../../server/processes/dates';
import { sendProcess } from '../../../server/processes/send';
import { runWithTenant } from '../../../server/tenancy/context';
import { $ } from '../../support/http';
import { createProcessAs, idsOf, processInput, tenantQuery, type TenantIds } from '../../support/processes';
import { emailOf, loggedIn, processTenant } from '../../support/processes-http';
import type { TestTenant } from '../../support/tenants';

/** The per-unit counters of open processes (unit_inbox_counts) against a live count. */
describe('Integration - processes/inbox counts (unit_inbox_counts)', () => {
  let t: TestTenant;
  let ids: TenantIds;
  let segov: { userId: string; unitId: string };
  let sms: { userId: string; unitId: string };

  before(async () => {
    t = await processTenant();
    ids = await idsOf(t);
    segov = { userId: ids.users[emailOf(t, 'servidor')], unitId: ids.units.SEGOV };
    sms = { userId: ids.users[emailOf(t, 'sofia')], unitId: ids.units.SMS };
  });

  const sendOpts = { processUrl: (id: string) => `/processos/${id}`, today: todayInSaoPaulo() };
  const send = (id: string, from: typeof segov, unitIds: string[], keepOpen: boolean) =>
    runWithTenant(t.tenant, () => sendProcess(id, from, { unitIds, keepOpen, expectedReturn: null, notify: false }, sendOpts));

  async function countersAgreeWithLiveCounts(): Promise<void> {
    const counters = await tenantQuery<{ unit_id: string; list: string; n: number }>(t, 'SELECT unit_id, list, open_count AS n FROM unit_inbox_counts WHERE open_count > 0 ORDER BY 1, 2');
    const live = await tenantQuery<{ unit_id: string; list: string; n: number }>(t, 'SELECT unit_id, list, count(*)::int AS n FROM process_units WHERE open GROUP BY 1, 2 ORDER BY 1, 2');
    expect(counters).to.deep.equal(live);
  }

  it('stay equal to a live count through create, send (keeping open or not), receive, conclude and reopen', async () => {
    const created: { id: string; number: string }[] = [];
    for (let i = 0; i < 6; i += 1) created.push(await createProcessAs(t, segov, processInput(ids, { specification: `Contagem ${i}` })));
    await countersAgreeWithLiveCounts();
    await send(created[0].id, segov, [ids.units.SMS, ids.units.SEAD], true);
    await send(created[1].id, segov, [ids.units.SMS], false);
    await countersAgreeWithLiveCounts();
    const sofia = await loggedIn(t, 'sofia');
    await sofia.get(`/processos/${created[1].id}`).expect(200); // received: unread → read, still open
    await runWithTenant(t.tenant, () => concludeProcess(created[1].id, sms));
    await runWithTenant(t.tenant, () => concludeProcess(created[2].id, segov));
    await countersAgreeWithLiveCounts();
    await runWithTenant(t.tenant, () => reopenProcess(created[2].id, segov));
    await send(created[0].id, sms, [ids.units.SEGOV], false); // back to a unit where it is already open
    await countersAgreeWithLiveCounts();
  });

  it('show an exact count past a thousand, formatted, and filtered counts bounded', async () => {
    const [{ n: before }] = await tenantQuery<{ n: number }>(t, "SELECT count(*)::int AS n FROM process_units WHERE unit_id = $1 AND open AND list = 'created'", [ids.units.SEGOV]);
    // 1,200 more open processes in SEGOV, written straight to the tables (the trigger counts them).
    await tenantQuery(
      t,
      `WITH p AS (
         INSERT INTO processes (number, number_digits, numbering, year, process_type_id, specification, access_level, origin_unit_id, created_by_id)
         SELECT '10001.9' || lpad(g::text, 5, '0') || '/2026-00', '100019' || lpad(g::text, 5, '0') || '202600', 'nup', 2026, $1, 'Carga ' || g, 'public', $2, $3
           FROM generate_series(1, 1200) g RETURNING id)
       INSERT INTO process_units (process_id, unit_id, list, open, unread, received_at) SELECT id, $2, 'created', true, false, now() FROM p`,
      [ids.types['Licitação: pregão eletrônico'], ids.units.SEGOV, segov.userId],
    );
    await countersAgreeWithLiveCounts();
    const clerk = await loggedIn(t, 'servidor');
    const page = await clerk.get('/').expect(200);
    expect($(page.text)('[data-testid="count-created"]').text()).to.contain(`${(before + 1200).toLocaleString('pt-BR')} processos`);
    const filtered = await clerk.get(`/?tipo=${ids.types['Licitação: pregão eletrônico']}`).expect(200);
    expect($(filtered.text)('[data-testid="count-created"]').text()).to.contain('mais de 1.000 processos');
  });

  it('do not count a sigiloso process (by its own level or a document’s) the viewer holds no credential for', async () => {
    const clerk = await loggedIn(t, 'servidor');
    const countOf = async () => $((await clerk.get('/').expect(200)).text)('[data-testid="count-created"]').text().replace(/\D/g, '');
    const shown = Number(await countOf());
    const [a, b] = await tenantQuery<{ process_id: string }>(t, "SELECT process_id FROM process_units WHERE unit_id = $1 AND open AND list = 'created' ORDER BY process_id LIMIT 2", [ids.units.SEGOV]);
    await tenantQuery(t, "UPDATE processes SET access_level = 'secret', secrecy_grade = 'reservado', legal_basis_id = (SELECT min(id) FROM legal_bases) WHERE id = $1", [a.process_id]);
    await tenantQuery(
      t,
      `INSERT INTO documents (process_id, number, document_type_id, kind, title, unit_id, created_by, access_level, legal_basis_id, verification_code)
       SELECT $1, 900000001, (SELECT min(id) FROM document_types), 'internal', 'Nota sigilosa', $2, $3, 'secret', (SELECT min(id) FROM legal_bases), '9000000001'`,
      [b.process_id, ids.units.SEGOV, segov.userId],
    );
    expect(Number(await countOf())).to.equal(shown - 2);
    await tenantQuery(t, 'INSERT INTO access_credentials (process_id, user_id, granted_by_id) VALUES ($1, $2, $2)', [a.process_id, segov.userId]);
    expect(Number(await countOf())).to.equal(shown - 1);
  });

  it('let two units send to each other at the same moment without a deadlock', async () => {
    // Processes received in SEGOV (from SMS) and received in SMS (from SEGOV)…
    const inSegov: string[] = [];
    const inSms: string[] = [];
    for (let i = 0; i < 30; i += 1) {
      const a = await createProcessAs(t, sms, processInput(ids));
      await send(a.id, sms, [ids.units.SEGOV], false);
      inSegov.push(a.id);
      const b = await createProcessAs(t, segov, processInput(ids));
      await send(b.id, segov, [ids.units.SMS], false);
      inSms.push(b.id);
    }
    // …sent back at once: each send counts an arrival in the other unit's Recebidos and a departure
    // from its own Recebidos — the same two counters, taken in opposite orders.
    const results = await Promise.allSettled(inSegov.flatMap((id, i) => [send(id, segov, [ids.units.SMS], false), send(inSms[i], sms, [ids.units.SEGOV], false)]));
    expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).to.deep.equal([]);
    await countersAgreeWithLiveCounts();
  });
});
