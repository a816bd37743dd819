import { gpSlotsFor } from './gp-slots';

describe('GP slots of a session follow from its capacity', () => {
  it('16 consultations in 2 hours at 4 per GP-hour need 2 GPs', () => {
    expect(gpSlotsFor(16, 120, 4)).toBe(2);
  });

  it('rounds up: one consultation more needs one GP more', () => {
    expect(gpSlotsFor(17, 120, 4)).toBe(3);
  });

  it('a session always has at least one GP, even when shorter than one consultation', () => {
    expect(gpSlotsFor(1, 10, 4)).toBe(1);
  });
});
