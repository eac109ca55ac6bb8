import { expect } from 'chai';
import { describe, it } from 'mocha';
import { actorName } from './names';

describe('who did something, as the pages say it', () => {
  const staffNames = { 'clerk-wang': '王丽', 'xh-gaj-reviewer': '公安审核人' };
  it('when the case view knows a staff member\'s name, then the name is shown, never the account id', () => {
    expect(actorName('clerk-wang', 'zh', staffNames)).to.equal('王丽');
    expect(actorName('xh-gaj-reviewer', 'en', staffNames)).to.equal('公安审核人');
  });
  it('when the actor is the platform itself or an applicant, then it is said plainly', () => {
    expect(actorName('supervision', 'zh', staffNames)).to.equal('电子监察');
    expect(actorName('system', 'zh')).to.equal('系统');
    expect(actorName('applicant:3301**********1234', 'zh')).to.equal('申请人 3301**********1234');
  });
  it('when no name is known, then the id is shown as it is; nothing shown for no actor; an inherited key is no name', () => {
    expect(actorName('someone-gone', 'zh', staffNames)).to.equal('someone-gone');
    expect(actorName(null, 'zh', staffNames)).to.equal(null);
    expect(actorName('toString', 'zh', staffNames)).to.equal('toString');
  });
});
