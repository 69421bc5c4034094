import { expect } from 'chai';
import fc from 'fast-check';
import { buildNumber, checkDigits, numberingYear, parseInformedNumber } from '../../../server/processes/numbering';

describe('Unit - processes/numbering', () => {
  it('reproduces the worked NUP example and its edge cases from DOMAIN.md', () => {
    expect(buildNumber({ format: 'nup', code: '12345', sequence: 123, year: 2025 }).formatted).to.equal('12345.000123/2025-95');
    expect(buildNumber({ format: 'nup', code: '12345', sequence: 1, year: 2025 }).formatted).to.equal('12345.000001/2025-07');
    expect(buildNumber({ format: 'nup', code: '12345', sequence: 17, year: 2025 }).formatted).to.equal('12345.000017/2025-10');
  });

  it('reproduces the NIPE example', () => {
    expect(buildNumber({ format: 'nipe', code: '17137001', sequence: 1, year: 2026 }).formatted).to.equal('17.137001.000001/2026-21');
  });

  it('computes DV1 with weights 16..2 and DV2 with 17..2 (sum 266 → 9, 314 → 5)', () => {
    expect(checkDigits('123450001232025')).to.equal('95');
  });

  it('property: every generated number parses back as valid, with the same digits', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<'nup' | 'nipe'>('nup', 'nipe'),
        fc.integer({ min: 0, max: 99_999_999 }),
        fc.integer({ min: 1, max: 999_999 }),
        fc.integer({ min: 1900, max: 2026 }),
        (format, rawCode, sequence, year) => {
          const code = String(rawCode % (format === 'nup' ? 100_000 : 100_000_000)).padStart(format === 'nup' ? 5 : 8, '0');
          const built = buildNumber({ format, code, sequence, year });
          const parsed = parseInformedNumber(built.formatted, 2026);
          expect(parsed).to.deep.include({ ok: true, digits: built.digits, formatted: built.formatted, format });
          expect(parseInformedNumber(built.digits, 2026)).to.deep.include({ ok: true, digits: built.digits });
        },
      ),
    );
  });

  it('property: any other pair of check digits is refused', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 99_999 }), fc.integer({ min: 1, max: 999_999 }), fc.integer({ min: 1900, max: 2026 }), fc.integer({ min: 1, max: 99 }), (c, s, y, delta) => {
        const { digits } = buildNumber({ format: 'nup', code: String(c).padStart(5, '0'), sequence: s, year: y });
        const wrong = String((Number(digits.slice(-2)) + delta) % 100).padStart(2, '0');
        expect(parseInformedNumber(digits.slice(0, -2) + wrong, 2026).ok).to.equal(false);
      }),
    );
  });

  it('property: agrees with a literal transcription of the DOMAIN.md rule (weights 16..2, then 17..2)', () => {
    const literal = (body: string): string => {
      const dv = (ds: string, top: number) => {
        let sum = 0;
        for (let i = 0; i < ds.length; i += 1) sum += Number(ds[i]) * (top - i);
        const r = 11 - (sum % 11);
        return r === 10 ? 0 : r === 11 ? 1 : r;
      };
      const dv1 = dv(body, 16);
      return `${dv1}${dv(body + dv1, 17)}`;
    };
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{15}$/), (body) => {
        expect(checkDigits(body)).to.equal(literal(body));
      }),
    );
  });

  it('property: check digits are always two decimal digits', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{15}$/), (body) => {
        expect(checkDigits(body)).to.match(/^[0-9]{2}$/);
      }),
    );
  });

  it('refuses malformed informed numbers, a future year and a zero sequence', () => {
    expect(parseInformedNumber('12345.000123/2025', 2026).ok).to.equal(false);
    expect(parseInformedNumber('abc', 2026).ok).to.equal(false);
    const future = buildNumber({ format: 'nup', code: '12345', sequence: 1, year: 2030 });
    expect(parseInformedNumber(future.formatted, 2026)).to.deep.include({ ok: false });
    expect(parseInformedNumber(`12345.000000/2025-${checkDigits('123450000002025')}`, 2026)).to.deep.include({ ok: false });
  });

  it('takes the year in America/Sao_Paulo: 1 January starts at 03:00 UTC', () => {
    expect(numberingYear(new Date('2027-01-01T02:59:59Z'))).to.equal(2026);
    expect(numberingYear(new Date('2027-01-01T03:00:00Z'))).to.equal(2027);
  });
});
