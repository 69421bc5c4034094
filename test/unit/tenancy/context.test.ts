import { expect } from 'chai';
import { TenantContextError } from '../../../server/errors';
import { currentTenant, runWithTenant, schemaFor } from '../../../server/tenancy/context';

describe('Unit - tenancy/context', () => {
  it('names a schema after the numeric tenant id only', () => {
    expect(schemaFor('42')).to.equal('tenant_42');
    expect(schemaFor(7)).to.equal('tenant_7');
  });

  for (const bad of ['0', '-1', '1; DROP SCHEMA platform', 'angra-dos-reis', '', '01']) {
    it(`refuses ${JSON.stringify(bad)} as a tenant id`, () => {
      expect(() => schemaFor(bad)).to.throw(TenantContextError);
    });
  }

  it('keeps the tenant of one async flow out of another running at the same time', async () => {
    const a = { id: '1', slug: 'a', name: 'A', schema: 'tenant_1' };
    const b = { id: '2', slug: 'b', name: 'B', schema: 'tenant_2' };
    const seen = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        runWithTenant(i % 2 ? a : b, async () => {
          await new Promise((r) => setTimeout(r, Math.random() * 5));
          return currentTenant()?.slug;
        }),
      ),
    );
    seen.forEach((slug, i) => expect(slug).to.equal(i % 2 ? 'a' : 'b'));
    expect(currentTenant()).to.equal(undefined);
  });
});
