import { expect } from 'chai';
import { exchangeRecord, maskName, nodeOf, type CaseFacts } from './nodes';

const facts: CaseFacts = {
  caseNo: '3301062026091800000001', provincialCaseNo: null, itemCode: 'XK-330000-00001', itemName: '个体工商户登记', implementationCode: 'XK-330000-00001.xh-scjg',
  department: { code: 'xh-scjg', name: '西湖区市场监督管理局', divisionCode: '330106' },
  applicant: { kind: 'person', name: '欧阳娜娜', idNumber: '330106199003073514' }, channel: 'window',
  promisedLimitDays: 5, statutoryLimitDays: 20, promisedDeadline: null, statutoryDeadline: null,
};

describe('exchange nodes (同源发布)', () => {
  it('when case events are mapped, then only the main nodes are, each with its result and opinion', () => {
    expect(nodeOf('filed', {})).to.include({ node: 'filed' });
    expect(nodeOf('auto-accepted', { rule: '逾期即为受理' })).to.include({ node: 'accepted', result: 'accepted', opinion: '逾期即为受理' });
    expect(nodeOf('task-completed', { kind: 'review', action: 'approve', opinion: '同意', taskId: 't1' })).to.deep.equal({ node: 'review', result: 'approve', opinion: '同意', taskId: 't1' });
    expect(nodeOf('task-completed', { kind: 'precheck', action: 'accept' }), 'a pre-check is the accepted node, not a review').to.equal(null);
    expect(nodeOf('correction-requested', { problems: ['缺营业执照', '缺章程'] })).to.include({ node: 'suspended', result: 'correction', opinion: '缺营业执照；缺章程' });
    expect(nodeOf('special-procedure-ended', { result: '听证结束' })).to.include({ node: 'resumed', opinion: '听证结束' });
    expect(nodeOf('payment-received', { amountFen: 2000 })).to.include({ node: 'fee-paid', result: '2000' });
    expect(nodeOf('evaluated', { level: 5, comment: '很好' })).to.include({ node: 'evaluated', result: '5' });
    for (const quiet of ['task-opened', 'urged', 'payment-ordered', 'closed', 'deadlines-recomputed', 'delivery-found']) expect(nodeOf(quiet, {}), quiet).to.equal(null);
  });

  it('when a record is made, then names and numbers of people are masked, a company\'s name is not', () => {
    const r = exchangeRecord(facts, { seq: 3, at: '2026-09-18T02:00:00.000Z' }, { node: 'review', result: 'approve', opinion: '申请人13800138000，身份证330106199003073514' }, { code: 'xh-scjg', name: '西湖区市场监督管理局' });
    expect(r).to.include({ nodeId: '3301062026091800000001-3', nodeName: '审查', applicantType: '自然人', applicantName: '欧***', applicantIdNumber: '3301**********3514', divisionCode: '330106' });
    expect(r.opinion).to.equal('申请人138****8000，身份证3301**********3514');
    const company = exchangeRecord({ ...facts, applicant: { kind: 'legal_person', name: '杭州某某科技有限公司', idNumber: '91330106MA27XXXX1X' } }, { seq: 1, at: '2026-09-18T02:00:00.000Z' }, { node: 'filed', result: null, opinion: null }, { code: 'xh-scjg', name: 'x' });
    expect(company).to.include({ applicantType: '法人', applicantName: '杭州某某科技有限公司' });
    expect(maskName('张')).to.equal('*');
  });
});
