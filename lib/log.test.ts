/**
 * The JSON logger: one object per line with the log context's fields, and personal data masked
 * by field name, by value shape and inside free text (messages, errors), before it is written.
 */
import { expect } from 'chai';
import { configureLogging, log, withLogContext } from './log';

describe('the JSON logger', () => {
  let lines: Record<string, any>[] = [];
  beforeEach(() => {
    lines = [];
    configureLogging({ service: 'test', level: 'INFO', destination: { write: (s: string) => { lines.push(JSON.parse(s) as Record<string, any>); } } });
  });
  afterEach(() => {
    configureLogging({ service: 'test', level: 'SILENT' });
  });

  it('when a line is written inside a log context, then it carries the request id, case number, operation and actor, its service, level word and time', () => {
    withLogContext({ requestId: 'r-1', caseNo: '3301062026113000000001', operation: 'postCases', actor: 'staff:clerk-1' }, () => log().info({ status: 201 }, 'request'));
    log().debug('not at this level');
    expect(lines).to.have.length(1);
    expect(lines[0]).to.include({ service: 'test', level: 'info', msg: 'request', requestId: 'r-1', caseNo: '3301062026113000000001', operation: 'postCases', actor: 'staff:clerk-1', status: 201 });
    expect(Date.parse(lines[0].time as string)).to.be.a('number').and.not.NaN;
  });

  it('when personal data is logged in fields, in values, in the message or in an error, then only its masked form is written', () => {
    log().warn({ applicant: { idNumber: '11010519491231002X', phone: '13800138000', address: '浙江省杭州市西湖区文三路1号' }, note: 'call 13912345678 about 330106197608142018', list: ['91330106MA2H3K7Q5U'] }, 'applicant 11010519491231002X rang from 13800138000');
    log().error({ err: new Error('lookup of 330106197608142018 failed') }, 'failed');
    withLogContext({ actor: 'applicant:11010519491231002X' }, () => log().info('signed in'));
    const text = lines.map((l) => JSON.stringify(l)).join('\n');
    for (const raw of ['11010519491231002X', '13800138000', '13912345678', '330106197608142018', '91330106MA2H3K7Q5U', '文三路1号']) expect(text).not.to.contain(raw);
    expect(lines[0].applicant).to.deep.equal({ idNumber: '1101**********002X', phone: '138****8000', address: '浙江省杭州市****' });
    expect(lines[0].msg).to.equal('applicant 1101**********002X rang from 138****8000');
    expect(lines[0].note).to.equal('call 139****5678 about 3301**********2018');
    expect(lines[1].err.message).to.equal('lookup of 3301**********2018 failed');
    expect(lines[1].err.type).to.equal('Error');
    expect(lines[2].actor).to.equal('applicant:1101**********002X');
  });
});
