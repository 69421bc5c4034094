import { expect } from 'chai';
import fc from 'fast-check';
import { formatCnpj } from '../../../server/formatting';
import { isValidCnpj, isValidCpf, normaliseCnpj, stripCpfMask as normaliseCpf } from '../../../server/brazil/documents';
import {
  RESERVED_SLUGS,
  slugProblem,
  suggestAcronym,
  suggestSlug,
} from '../../../server/adhesion/rules';

/** The Receita Federal rule written out by hand: value = ASCII − 48, weights 2..9 from the right. */
function checkDigits(base12: string): string {
  const value = (c: string): number => c.charCodeAt(0) - 48;
  const dv = (chars: string, weights: number[]): number => {
    const r = [...chars].reduce((s, c, i) => s + value(c) * weights[i], 0) % 11;
    return r < 2 ? 0 : 11 - r;
  };
  const d1 = dv(base12, [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]);
  const d2 = dv(base12 + d1, [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]);
  return `${d1}${d2}`;
}

describe('Unit - adhesion/rules', () => {
  describe('CNPJ', () => {
    it('accepts a numeric CNPJ whose digits were computed by hand', () => {
      // 1,1,2,2,2,3,3,3,0,0,0,1 × 5,4,3,2,9,8,7,6,5,4,3,2 = 5+4+6+4+18+24+21+18+0+0+0+2 = 102; 102 mod 11 = 3 → DV1 = 8
      // with DV1: × 6,5,4,3,2,9,8,7,6,5,4,3,2 = 6+5+8+6+4+27+24+21+0+0+0+3+16 = 120; 120 mod 11 = 10 → DV2 = 1
      expect(isValidCnpj('11222333000181')).to.equal(true);
      expect(isValidCnpj(normaliseCnpj('11.222.333/0001-81'))).to.equal(true);
    });

    it('accepts the alphanumeric CNPJ of the Receita Federal example, 12.ABC.345/01DE-35', () => {
      // values: 1,2,17,18,19,3,4,5,0,1,20,21 × 5,4,3,2,9,8,7,6,5,4,3,2
      //   = 5+8+51+36+171+24+28+30+0+4+60+42 = 459; 459 mod 11 = 8 → DV1 = 3
      // with DV1 (3): × 6,5,4,3,2,9,8,7,6,5,4,3,2
      //   = 6+10+68+54+38+27+32+35+0+5+80+63+6 = 424; 424 mod 11 = 6 → DV2 = 5
      expect(isValidCnpj(normaliseCnpj('12.ABC.345/01DE-35'))).to.equal(true);
      expect(normaliseCnpj('12.abc.345/01de-35')).to.equal('12ABC34501DE35');
      expect(formatCnpj('12ABC34501DE35')).to.equal('12.ABC.345/01DE-35');
    });

    it('refuses wrong check digits, letters in the check digits, wrong lengths and repeated digits', () => {
      expect(isValidCnpj('11222333000182')).to.equal(false);
      expect(isValidCnpj('12ABC34501DE36')).to.equal(false);
      expect(isValidCnpj('12ABC34501DE3A')).to.equal(false);
      expect(isValidCnpj('1122233300018')).to.equal(false);
      expect(isValidCnpj('112223330001811')).to.equal(false);
      expect(isValidCnpj('00000000000000')).to.equal(false);
      expect(isValidCnpj('12abc34501de35')).to.equal(false);
    });

    it('agrees with the hand-written rule on any 12 alphanumeric characters, and catches any changed check digit', () => {
      const base = fc.string({ unit: fc.constantFrom(...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'), minLength: 12, maxLength: 12 });
      fc.assert(
        fc.property(base, fc.integer({ min: 1, max: 9 }), (b, delta) => {
          const dv = checkDigits(b);
          if (/^(\d)\1{11}$/.test(b) && dv === `${b[0]}${b[0]}`) return;
          expect(isValidCnpj(b + dv)).to.equal(true);
          const wrong = `${(Number(dv[1]) + delta) % 10}`;
          expect(isValidCnpj(b + dv[0] + wrong)).to.equal(false);
        }),
      );
    });
  });

  describe('CPF', () => {
    it('accepts a CPF whose digits were computed by hand', () => {
      // 5,2,9,9,8,2,2,4,7 × 10..2 = 50+18+72+63+48+10+8+12+14 = 295; 295×10 mod 11 = 2 → DV1 = 2
      // 5,2,9,9,8,2,2,4,7,2 × 11..2 = 55+20+81+72+56+12+10+16+21+4 = 347; 347×10 mod 11 = 5 → DV2 = 5
      expect(isValidCpf('52998224725')).to.equal(true);
      expect(isValidCpf(normaliseCpf('529.982.247-25'))).to.equal(true);
    });

    it('refuses wrong check digits, repeated digits and wrong lengths', () => {
      expect(isValidCpf('52998224726')).to.equal(false);
      expect(isValidCpf('11111111111')).to.equal(false);
      expect(isValidCpf('5299822472')).to.equal(false);
      expect(isValidCpf('5299822472a')).to.equal(false);
    });
  });

  describe('tenant address (slug)', () => {
    it('suggests lower-case, accent-free, hyphenated addresses from names', () => {
      expect(suggestSlug('Angra dos Reis')).to.equal('angra-dos-reis');
      expect(suggestSlug('São João del-Rei')).to.equal('sao-joao-del-rei');
      expect(suggestSlug("Alta Floresta D'Oeste")).to.equal('alta-floresta-doeste');
      expect(suggestSlug('  Maranhão ')).to.equal('maranhao');
    });

    it('accepts a well-formed address', () => {
      expect(slugProblem('angra-dos-reis')).to.equal(null);
      expect(slugProblem('sp2')).to.equal(null);
    });

    it('refuses upper case, accents, spaces, edge hyphens, double hyphens, too short and too long', () => {
      for (const bad of ['Angra', 'são-paulo', 'angra dos reis', '-angra', 'angra-', 'angra--reis', 'ab', 'a'.repeat(64), '']) {
        expect(slugProblem(bad), bad).to.be.a('string');
      }
    });

    it('refuses every reserved word, naming it', () => {
      for (const word of ['www', 'admin', 'api', 'app', 'mail', 'smtp', 'static', 'assets', 'pen', 'gov', 'localhost', 'suporte', 'status']) {
        expect(RESERVED_SLUGS.has(word), word).to.equal(true);
        expect(slugProblem(word)).to.contain('palavra reservada');
      }
    });

    it('suggests a root unit acronym from the official name', () => {
      expect(suggestAcronym('Prefeitura Municipal de Angra dos Reis')).to.equal('PMAR');
      expect(suggestAcronym('Governo do Estado do Maranhão')).to.equal('GEM');
    });
  });
});
