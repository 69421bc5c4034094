import { expect } from 'chai';
import fc from 'fast-check';
import { formatCpfCnpj as formatDocument } from '../../../server/formatting';
import { isValidCnpj, isValidCpf } from '../../../server/brazil/documents';
import { checkPartyDocument } from '../../../server/processes/partyDocument';

function cpfWithDigits(base: string): string {
  const d = [...base].map(Number);
  const dv = (vals: number[], start: number) => {
    const r = vals.reduce((acc, v, i) => acc + v * (start - i), 0) % 11;
    return r < 2 ? 0 : 11 - r;
  };
  const d1 = dv(d, 10);
  const d2 = dv([...d, d1], 11);
  return `${base}${d1}${d2}`;
}

describe('Unit - processes/partyDocument', () => {
  it('accepts known valid CPF and CNPJ, numeric and alphanumeric', () => {
    expect(isValidCpf('52998224725')).to.equal(true);
    expect(isValidCnpj('11222333000181')).to.equal(true);
    expect(isValidCnpj('12ABC34501DE35')).to.equal(true);
  });

  it('refuses wrong check digits and repeated digits', () => {
    expect(isValidCpf('52998224724')).to.equal(false);
    expect(isValidCpf('11111111111')).to.equal(false);
    expect(isValidCnpj('11222333000182')).to.equal(false);
  });

  it('property: a CPF built with its check digits is valid, and a changed DV is not', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{9}$/).filter((s) => !/^(\d)\1{8}$/.test(s)), fc.integer({ min: 1, max: 9 }), (base, delta) => {
        const cpf = cpfWithDigits(base);
        expect(isValidCpf(cpf)).to.equal(true);
        const broken = cpf.slice(0, 10) + String((Number(cpf[10]) + delta) % 10);
        expect(isValidCpf(broken)).to.equal(false);
      }),
    );
  });

  it('takes masked input, allows blank, and explains what is wrong', () => {
    expect(checkPartyDocument('529.982.247-25')).to.deep.equal({ ok: true, document: '52998224725' });
    expect(checkPartyDocument('  ')).to.deep.equal({ ok: true, document: null });
    expect(checkPartyDocument('529.982.247-24')).to.deep.include({ ok: false });
    expect(checkPartyDocument('123')).to.deep.include({ ok: false });
    expect(formatDocument('11222333000181')).to.equal('11.222.333/0001-81');
  });
});
