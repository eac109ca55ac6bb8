import { expect } from 'chai';
import { maskIdNumber, maskPersonalData, maskPhone, maskText } from './privacy';

describe('masking of personal data', () => {
  it('when an ID number, a phone or an address is masked, then only the ends stay', () => {
    expect(maskIdNumber('330106199003073514')).to.equal('3301**********3514');
    expect(maskPhone('13800138000')).to.equal('138****8000');
    expect(maskPersonalData({ applicant: { name: '张三', idNumber: '330106199003073514', phone: '13800138000' }, address: '杭州市西湖区文三路 90 号' }))
      .to.deep.equal({ applicant: { name: '张三', idNumber: '3301**********3514', phone: '138****8000' }, address: '杭州市西湖区****' });
  });

  it('when values look like ID numbers or phones under other names, then they are masked too; case numbers are not', () => {
    const out = maskPersonalData({ contact: '13588036751', holder: '11010519491231002X', caseNo: '3301062026112200000001', list: ['0571-87654321'] });
    expect(out).to.deep.equal({ contact: '135****6751', holder: '1101**********002X', caseNo: '3301062026112200000001', list: ['057******4321'] });
  });

  it('when a log line carries an ID number, a credit code or a phone, then the line is masked', () => {
    expect(maskText('Key (id)=(330106199003073514) phone 13800138000 code 91330106MA2H2X8K1F case 3301062026112200000001'))
      .to.equal('Key (id)=(3301**********3514) phone 138****8000 code 9133**********8K1F case 3301062026112200000001');
  });
});
