import { expect } from 'chai';
import { brasiliaDay, deadlineDay, endOfDay, isBusinessDay } from '../../../server/calendar/businessDays';

const NATIONAL_2026 = new Set(['2026-01-01', '2026-04-03', '2026-04-21', '2026-05-01', '2026-09-07', '2026-10-12', '2026-11-02', '2026-11-15', '2026-11-20', '2026-12-25']);

describe('Unit - calendar/businessDays (deadlines in business days)', () => {
  it('knows weekends and holidays', () => {
    expect(isBusinessDay('2026-12-02', NATIONAL_2026)).to.equal(true); // a Wednesday
    expect(isBusinessDay('2026-12-05', NATIONAL_2026)).to.equal(false); // Saturday
    expect(isBusinessDay('2026-12-06', NATIONAL_2026)).to.equal(false); // Sunday
    expect(isBusinessDay('2026-12-25', NATIONAL_2026)).to.equal(false); // Natal, a Friday
  });

  it('counts from the first business day after sending, on the calendar', () => {
    // Sent Wednesday: day 1 is Thursday, day 7 the next Wednesday.
    expect(deadlineDay(new Date('2026-12-02T10:00:00-03:00'), 7, NATIONAL_2026)).to.equal('2026-12-09');
    // Sent Thursday before the Paixão de Cristo: day 1 is Monday.
    expect(deadlineDay(new Date('2026-04-02T10:00:00-03:00'), 10, NATIONAL_2026)).to.equal('2026-04-15');
    // Sent Friday: day 1 is Monday, day 10 Wednesday week.
    expect(deadlineDay(new Date('2026-12-04T17:00:00-03:00'), 10, NATIONAL_2026)).to.equal('2026-12-16');
  });

  it('moves an end on a weekend or holiday to the next business day', () => {
    // Day 10 would be Friday 20/11 (Consciência Negra): the end moves to Monday 23/11.
    expect(deadlineDay(new Date('2026-11-10T09:00:00-03:00'), 10, NATIONAL_2026)).to.equal('2026-11-23');
    // And further if the tenant keeps Monday as a local holiday.
    expect(deadlineDay(new Date('2026-11-10T09:00:00-03:00'), 10, new Set([...NATIONAL_2026, '2026-11-23']))).to.equal('2026-11-24');
    // Sent Friday: day 1 is Monday, day 7 a Sunday, which moves to Monday.
    expect(deadlineDay(new Date('2026-12-04T09:00:00-03:00'), 7, NATIONAL_2026)).to.equal('2026-12-14');
  });

  it('reads the day in Brasília (late evening is still that day) and ends the last day at midnight there', () => {
    expect(brasiliaDay(new Date('2026-12-03T02:30:00Z'))).to.equal('2026-12-02');
    expect(deadlineDay(new Date('2026-12-03T02:30:00Z'), 7, NATIONAL_2026)).to.equal('2026-12-09');
    expect(endOfDay('2026-12-09').toISOString()).to.equal('2026-12-10T03:00:00.000Z');
    expect(() => deadlineDay(new Date(), 0, NATIONAL_2026)).to.throw(RangeError);
  });
});
