import { expect } from 'chai';
import formatDateTime from '../../../server/helpers/formatDateTime';

describe('Unit - helpers/formatDateTime', () => {
  it('writes dates as users in Brasília do', () => {
    expect(formatDateTime(new Date('2026-11-26T17:05:00Z'))).to.equal('26/11/2026 14:05');
  });
  it('crosses midnight in America/Sao_Paulo, not UTC', () => {
    expect(formatDateTime(new Date('2027-01-01T02:30:00Z'))).to.equal('31/12/2026 23:30');
  });
  it('renders nothing for a missing or invalid date', () => {
    expect(formatDateTime(undefined)).to.equal('');
    expect(formatDateTime('not a date')).to.equal('');
  });
});
