import { expect } from 'chai';
import { businessDeadline } from '../../../server/calendar/businessDays';
import { inTenant, runWithTenant } from '../../../server/tenancy/context';
import { tenantRows } from '../../support/protocol';
import { createAngraAndMaranhao } from '../../support/tenants';

describe('Integration - protocol/holidays (each tenant\'s holidays in its business-day deadlines)', () => {
  it('seeds the national holidays of 2026–2027 in every tenant, and a local holiday moves only its own tenant\'s deadlines', async () => {
    const { angra, maranhao } = await createAngraAndMaranhao();
    const seeded = await tenantRows<{ n: string; natal: string }>(angra, "SELECT count(*) AS n, count(*) FILTER (WHERE day = '2027-12-25') AS natal FROM tenant.holidays WHERE scope = 'national'");
    expect(seeded[0]).to.deep.equal({ n: '20', natal: '1' });
    await tenantRows(angra, "INSERT INTO tenant.holidays (day, name, scope) VALUES ('2026-11-23', 'Aniversário da cidade', 'local') RETURNING day");
    const sent = new Date('2026-11-10T09:00:00-03:00');
    const deadline = (tt: typeof angra) => runWithTenant(tt.tenant, () => inTenant((t) => businessDeadline(t, sent, 10)));
    // Day 10 is Friday 20/11 (Consciência Negra, national): Monday 23/11, or Tuesday where 23/11 is a local holiday.
    expect(await deadline(maranhao)).to.deep.equal({ lastDay: '2026-11-23', endsAt: new Date('2026-11-24T03:00:00Z') });
    expect(await deadline(angra)).to.deep.equal({ lastDay: '2026-11-24', endsAt: new Date('2026-11-25T03:00:00Z') });
  });
});
