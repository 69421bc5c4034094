import { expect } from 'chai';
import { safeNext } from '../../../server/auth/routes';

describe('Unit - auth/routes safeNext', () => {
  it('keeps local paths', () => {
    expect(safeNext('/processos?x=1')).to.equal('/processos?x=1');
  });
  for (const bad of ['//evil.example', '/\\evil.example', 'https://evil.example', 'javascript:alert(1)', undefined, 42]) {
    it(`sends ${String(bad)} home instead`, () => {
      expect(safeNext(bad)).to.equal('/');
    });
  }
});
