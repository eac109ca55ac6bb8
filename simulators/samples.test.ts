import { expect } from 'chai';
import { checkCitizenId, checkCreditCode } from '../lib/identity';
import { sampleCertificates, sampleIssuers, sampleLegalPersons, samplePersons } from './samples';

const digits = '0123456789X';
const codeAlphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/** Every string that differs from `s` in exactly one position, over `alphabet`. */
function oneCharChanges(s: string, alphabet: string): string[] {
  return [...s].flatMap((c, i) => [...alphabet].filter((a) => a !== c).map((a) => s.slice(0, i) + a + s.slice(i + 1)));
}

const idNumbers = [...new Set([...samplePersons.map((p) => p.idNumber), ...sampleLegalPersons.map((c) => c.legalRepresentative.idNumber)])];
const creditCodes = sampleLegalPersons.map((c) => c.creditCode);

describe('published sample identities', () => {
  it('when the sample ID numbers and credit codes are checked, then every one is valid', () => {
    for (const id of idNumbers) expect(checkCitizenId(id), id).to.equal(null);
    for (const code of creditCodes) expect(checkCreditCode(code), code).to.equal(null);
  });

  it('when any one character of a sample ID number is changed, then it is no longer valid', () => {
    for (const id of idNumbers) {
      // X is a check character only, but the check must refuse it anywhere else too.
      for (const changed of oneCharChanges(id, digits)) expect(checkCitizenId(changed), changed).to.be.a('string');
    }
  });

  it('when any one character of a sample credit code is changed, then it is no longer valid', () => {
    for (const code of creditCodes) {
      for (const changed of oneCharChanges(code, codeAlphabet)) expect(checkCreditCode(changed), changed).to.be.a('string');
    }
  });

  it('when the sample certificates are read, then each names a known issuer and a valid holder', () => {
    for (const c of sampleCertificates) {
      expect(sampleIssuers, c.type).to.have.property(c.issuer);
      expect(checkCitizenId(c.holder.idNumber) === null || checkCreditCode(c.holder.idNumber) === null, c.holder.idNumber).to.equal(true);
    }
  });

  it('when a legal representative is named, then the population base knows them by that name', () => {
    for (const c of sampleLegalPersons) {
      expect(samplePersons.find((p) => p.idNumber === c.legalRepresentative.idNumber)?.name).to.equal(c.legalRepresentative.name);
    }
  });
});
