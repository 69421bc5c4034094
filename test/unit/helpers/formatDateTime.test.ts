import { expect } from 'chai';
import formatDateTime from '../../../server/helpers/formatDateTime';

describe('Unit - helpers/formatDateTime', () => {
  it('writes dates as users in Brasília do', () => {
    expect(formatDateTime(new Date('2026-11-26T17:05:00Z'))).to.equal('26/11/2026 14:05');
  });
  it('crosses midnight in America/Sao_Paulo, not UTC', () => {
    expect(formatDateTime(new Date('2027-01-01T02:30:00Z'))).to.equal('31/12/2026 23:30');
  });
  it('gives each minute its own text, the seconds never rounding it up, when the same minutes come again', () => {
    const minutes = ['2026-11-26T17:05:59.999Z', '2026-11-26T17:06:00Z', '2019-01-15T12:00:00Z'];
    for (let pass = 0; pass < 2; pass++) {
      // 2019-01-15 was in Brazil's last daylight-saving season (UTC-2).
      expect(minutes.map((m) => formatDateTime(new Date(m)))).to.deep.equal(['26/11/2026 14:05', '26/11/2026 14:06', '15/01/2019 10:00']);
    }
    expect(formatDateTime('2026-11-26T17:05:30Z')).to.equal('26/11/2026 14:05');
  });
  it('renders nothing for a missing or invalid date', () => {
    expect(formatDateTime(undefined)).to.equal('');
    expect(formatDateTime('not a date')).to.equal('');
  });
});
