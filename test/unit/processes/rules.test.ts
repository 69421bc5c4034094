import { expect } from 'chai';
import { decideAccess } from '../../../server/processes/access';
import { allowedActions, annexRefusal, isAllowed, type ProcessState } from '../../../server/processes/rules';

const open: ProcessState = {
  accessLevel: 'public',
  canRead: true,
  openHere: true,
  passedThroughHere: true,
  openUnitCount: 1,
  suspended: false,
  annexed: false,
  credentialed: false,
};

describe('Unit - processes/access decisions', () => {
  it('público: everyone finds and reads', () => {
    expect(decideAccess({ accessLevel: 'public', passedThroughUnit: false, credentialed: false })).to.deep.equal({ canFind: true, canRead: true });
  });
  it('restrito: everyone finds it; only units it passed through read it', () => {
    expect(decideAccess({ accessLevel: 'restricted', passedThroughUnit: false, credentialed: false })).to.deep.equal({ canFind: true, canRead: false });
    expect(decideAccess({ accessLevel: 'restricted', passedThroughUnit: true, credentialed: false })).to.deep.equal({ canFind: true, canRead: true });
  });
  it('sigiloso: only credentialed users find or read, whatever the unit', () => {
    expect(decideAccess({ accessLevel: 'secret', passedThroughUnit: true, credentialed: false })).to.deep.equal({ canFind: false, canRead: false });
    expect(decideAccess({ accessLevel: 'secret', passedThroughUnit: false, credentialed: true })).to.deep.equal({ canFind: true, canRead: true });
  });
});

describe('Unit - processes/rules (what each action may do in each state)', () => {
  it('an open process here can be sent, concluded, assigned, altered, suspended, annexed into, related', () => {
    const a = allowedActions(open);
    expect(a).to.include({ send: true, conclude: true, assign: true, alter: true, suspend: true, annex: true, relate: true, reopen: false, resume: false });
  });
  it('a concluded process can only be reopened (and related) where it passed through', () => {
    const a = allowedActions({ ...open, openHere: false });
    expect(a).to.include({ send: false, conclude: false, assign: false, alter: false, reopen: true, relate: true });
  });
  it('nothing is allowed in a unit where it never passed, beyond relating a readable one', () => {
    const a = allowedActions({ ...open, openHere: false, passedThroughHere: false });
    expect(a).to.include({ reopen: false, send: false, conclude: false, relate: true });
  });
  it('sobrestar only when open only here; a suspended process cannot be sent or concluded, only resumed', () => {
    expect(isAllowed('suspend', { ...open, openUnitCount: 2 })).to.equal(false);
    const s = allowedActions({ ...open, suspended: true });
    expect(s).to.include({ send: false, conclude: false, suspend: false, resume: true });
  });
  it('an annexed process allows nothing but being read', () => {
    const a = allowedActions({ ...open, annexed: true });
    expect(Object.values(a).some(Boolean)).to.equal(false);
  });
  it('a sigiloso process cannot receive annexes; credentials are managed by credentialed users where it is open', () => {
    expect(isAllowed('annex', { ...open, accessLevel: 'secret', credentialed: true })).to.equal(false);
    expect(isAllowed('grantCredential', { ...open, accessLevel: 'secret', credentialed: true })).to.equal(true);
    expect(isAllowed('grantCredential', { ...open, accessLevel: 'secret', credentialed: true, openHere: false })).to.equal(false);
    expect(isAllowed('grantCredential', open)).to.equal(false);
  });
  it('a restrito process not readable here allows nothing', () => {
    expect(Object.values(allowedActions({ ...open, canRead: false })).some(Boolean)).to.equal(false);
  });

  describe('annexing', () => {
    const base = {
      parentId: '1',
      parentCreatedAt: new Date('2026-01-01'),
      childId: '2',
      childCreatedAt: new Date('2026-02-01'),
      childAccessLevel: 'public' as const,
      childAnnexed: false,
      childOpenUnitIds: ['10'],
      currentUnitId: '10',
      childHasAnnexes: false,
    };
    it('accepts a newer process open only here', () => expect(annexRefusal(base)).to.equal(null));
    it('refuses an older process', () => expect(annexRefusal({ ...base, childCreatedAt: new Date('2025-12-01') })).to.match(/mais novo/));
    it('refuses a process open in another unit', () => expect(annexRefusal({ ...base, childOpenUnitIds: ['10', '11'] })).to.match(/somente na unidade atual/));
    it('refuses a sigiloso process', () => expect(annexRefusal({ ...base, childAccessLevel: 'secret' })).to.match(/sigilosos/));
    it('refuses itself and an already annexed one', () => {
      expect(annexRefusal({ ...base, childId: '1' })).to.match(/si mesmo/);
      expect(annexRefusal({ ...base, childAnnexed: true })).to.match(/já está anexado/);
    });
  });
});
