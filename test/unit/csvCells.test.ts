import { expect } from 'chai';
import fc from 'fast-check';
import { neutraliseCell, restoreCell } from '../../server/csvCells';

describe('Unit - csvCells (CSV formula injection, issue 12 item 5)', () => {
  it('prefixes a quote to cells a spreadsheet would run as formulas', () => {
    for (const v of ['=1+1', '+1', '-1', '@A1', '\tx', '\rx']) expect(neutraliseCell(v)).to.equal(`'${v}`);
    for (const v of ['Secretaria', '1-2', "'nome", '']) expect(neutraliseCell(v)).to.equal(v);
  });

  it('round-trips every string losslessly', () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom('=', '+', '-', '@', '\t', '\r', "'", 'a', ' ') }), (v) => restoreCell(neutraliseCell(v)) === v), { numRuns: 2000 });
    fc.assert(fc.property(fc.string(), (v) => restoreCell(neutraliseCell(v)) === v));
  });
});
