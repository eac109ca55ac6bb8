import { expect } from 'chai';
import { assuranceLevels, isAssuranceLevel, meetsLevel } from './assurance';

describe('assurance levels', () => {
  it('when a level is compared with every level, then it meets exactly those at or below it', () => {
    for (const [i, have] of assuranceLevels.entries()) {
      for (const [j, need] of assuranceLevels.entries()) expect(meetsLevel(have, need), `${have} vs ${need}`).to.equal(i >= j);
    }
  });

  it('when basic is needed, then anonymous does not meet it and advanced does', () => {
    expect(meetsLevel('anonymous', 'basic')).to.equal(false);
    expect(meetsLevel('advanced', 'basic')).to.equal(true);
  });

  it('when a value is checked, then only the four level names are levels', () => {
    expect(['anonymous', 'basic', 'intermediate', 'advanced'].every(isAssuranceLevel)).to.equal(true);
    expect(isAssuranceLevel('expert')).to.equal(false);
    expect(isAssuranceLevel(2)).to.equal(false);
  });
});
