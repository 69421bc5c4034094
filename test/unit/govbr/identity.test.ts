import { expect } from 'chai';
import { atLeast, GovbrClaimsError, identityFromClaims, trustLevelFrom } from '../../../server/govbr/identity';

describe('Unit - govbr/identity', () => {
  it('takes the highest selo from govbr_confiabilidades, by id or name, bronze when none', () => {
    expect(trustLevelFrom([{ id: '1' }, { id: '2' }])).to.equal('prata');
    expect(trustLevelFrom(['3', '1'])).to.equal('ouro');
    expect(trustLevelFrom('prata')).to.equal('prata');
    expect(trustLevelFrom(undefined)).to.equal('bronze');
    expect(trustLevelFrom([{ id: '9' }])).to.equal('bronze');
    expect(atLeast('ouro', 'prata')).to.equal(true);
    expect(atLeast('bronze', 'prata')).to.equal(false);
  });

  it('reads the CPF from sub, lower-cases the e-mail and trusts it only when email_verified', () => {
    const id = identityFromClaims({ sub: '52998224725', name: ' Maria ', email: 'M@X.test', email_verified: false });
    expect(id).to.deep.equal({ cpf: '52998224725', name: 'Maria', email: 'm@x.test', emailVerified: false, trustLevel: 'bronze' });
  });

  it('refuses a sub that is not a valid CPF, or no name', () => {
    expect(() => identityFromClaims({ sub: '12345678900', name: 'X' })).to.throw(GovbrClaimsError);
    expect(() => identityFromClaims({ sub: '52998224725' })).to.throw(GovbrClaimsError);
  });
});
