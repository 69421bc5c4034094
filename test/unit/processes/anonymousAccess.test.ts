import { expect } from 'chai';
import { anonymousAccess, anonymousFindableSql, anonymousReadableSql, decideAccess } from '../../../server/processes/access';

describe('Unit - processes/access (the anonymous public viewer)', () => {
  it('is decideAccess for a viewer who passed through no unit and holds no credential', () => {
    for (const level of ['public', 'restricted', 'secret'] as const) {
      expect(anonymousAccess(level), level).to.deep.equal(decideAccess({ accessLevel: level, passedThroughUnit: false, credentialed: false }));
    }
    expect(anonymousAccess('public')).to.deep.equal({ canFind: true, canRead: true });
    expect(anonymousAccess('restricted')).to.deep.equal({ canFind: true, canRead: false });
    expect(anonymousAccess('secret')).to.deep.equal({ canFind: false, canRead: false });
  });

  it('writes the same decision as SQL over the effective level (the text the partial indexes of migration 0601 name)', () => {
    expect(anonymousFindableSql('p')).to.equal("(p.effective_level IN ('public', 'restricted'))");
    expect(anonymousReadableSql('p')).to.equal("(p.effective_level IN ('public'))");
  });
});
