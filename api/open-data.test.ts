/**
 * Open data over HTTP on the Internet-zone routes: a month of known cases gives the right numbers
 * per department and per item, with cells under 5 cases suppressed, in JSON and CSV at stable
 * URLs; nothing in any dataset is personal (ID numbers, phone numbers, applicants' names).
 *
 * The known month is March 2019, before any case of this run: its cases are written as the
 * projection leaves them (a case row, an evaluation) and rolled up by the projection's own
 * roll-up (activities/rollups.ts), since a case cannot be filed in the past.
 */
import { expect } from 'chai';
import { direct } from '../lib/statements';
import { rollUpCases } from '../activities/rollups';
import { readFormFolder } from '../lib/forms';
import { asClerkFor, eventually, http, sharedStack, type Stack } from '../test/harness';

const month = '2019-03';
/** A China instant of March 2019. */
const at = (day: number, hour = 10) => new Date(Date.UTC(2019, 2, day, hour - 8)).toISOString();

describe('open data (政务服务数据开放)', function () {
  this.timeout(60_000);
  let stack: Stack;
  let big: { code: string; item: string; department: string };
  let small: { code: string; item: string; department: string };

  before(async () => {
    stack = await sharedStack();
    const entry = (code: string) => stack.db('implementations').where({ code }).first<{ item_code: string; department_code: string }>('item_code', 'department_code');
    const a = await entry('XK-330000-00001.xh-scjg');
    const b = await entry('QR-330000-00010.xh-gaj');
    big = { code: 'XK-330000-00001.xh-scjg', item: a.item_code, department: a.department_code };
    small = { code: 'QR-330000-00010.xh-gaj', item: b.item_code, department: b.department_code };
    expect(big.department).to.not.equal(small.department);

    // 7 cases of the big entry: 6 accepted, 5 decided (4 on time, 1 late; 3+4+5+6+7 working days), 5 rated (4 satisfied).
    // 3 cases of the small entry: 3 accepted, 2 decided, 1 rated.
    const rows: Record<string, unknown>[] = [];
    const ratings: Record<string, unknown>[] = [];
    const add = (e: typeof big, i: number, o: { accepted: boolean; decided?: { used: number; late: boolean }; rating?: number }) => {
      const caseNo = `33010020190301${String(90000000 + rows.length).padStart(8, '0')}`;
      rows.push({
        case_no: caseNo, implementation_code: e.code, implementation_version: 1, item_code: e.item, item_name: '历史办件', department_code: e.department, status: o.decided ? 'closed' : 'in_review',
        channel: 'window', applicant: JSON.stringify({ kind: 'person', name: '欧阳历史', idNumber: '330106199003073514', phone: '13912345678' }), form_data: '{}',
        filed_at: at(1 + i), updated_at: at(20), case_type: 'promised', statutory_limit_days: 20, promised_limit_days: 10,
        accepted_at: o.accepted ? at(2 + i) : null,
        decided_at: o.decided ? at(20 + (i % 5)) : null, decision: o.decided ? 'approved' : null, used_days: o.decided?.used ?? null,
        promised_deadline: o.decided ? (o.decided.late ? at(18) : at(28)) : null,
      });
      if (o.rating) ratings.push({ case_no: caseNo, level: o.rating, comment: '历史评价', department_code: e.department, item_code: e.item, at: at(26) });
    };
    [3, 4, 5, 6, 7].forEach((used, i) => add(big, i, { accepted: true, decided: { used, late: i === 4 }, rating: i === 0 ? 2 : 5 }));
    add(big, 5, { accepted: true });
    add(big, 6, { accepted: false });
    add(small, 0, { accepted: true, decided: { used: 2, late: false }, rating: 5 });
    add(small, 1, { accepted: true, decided: { used: 2, late: false } });
    add(small, 2, { accepted: true });
    await stack.db.transaction(async (trx) => {
      await trx('cases').insert(rows).onConflict('case_no').ignore();
      await trx('evaluations').insert(ratings).onConflict('case_no').ignore();
      await rollUpCases(direct(trx), rows.map((r) => String(r.case_no)));
    });
  });
  after(async () => {
    await stack?.stop();
  });

  it('when the index is read, then it lists both datasets with stable URLs, their dictionaries, the month and the licence', async () => {
    const r = await http(stack, 'GET', '/api/open-data');
    expect(r.status).to.equal(200);
    expect(r.body.licence).to.be.a('string').and.include('不含个人信息');
    const stats = r.body.datasets.find((d: { id: string }) => d.id === 'statistics');
    expect(stats.urls.csv).to.equal('/api/open-data/statistics/{month}?format=csv');
    expect(stats.months).to.include(month);
    expect(stats.fields.map((f: { name: string }) => f.name)).to.include.members(['received', 'accepted', 'completed', 'onTimeRate', 'averageWorkingDays', 'satisfaction']);
    const catalogue = r.body.datasets.find((d: { id: string }) => d.id === 'catalogue');
    expect(catalogue.urls.json).to.equal('/api/open-data/catalogue?format=json');
  });

  it('when a month of known cases is read, then each department and item has the right numbers and cells under 5 cases are suppressed', async () => {
    const r = await http(stack, 'GET', `/api/open-data/statistics/${month}`);
    expect(r.status).to.equal(200);
    expect(r.body).to.include({ month, dataset: `statistics-${month}` });
    const row = (grouping: string, code: string) => r.body.rows.find((x: { grouping: string; code: string }) => x.grouping === grouping && x.code === code);
    const expectedBig = { received: 7, accepted: 6, completed: 5, onTimeRate: 0.8, averageWorkingDays: 5, satisfaction: 0.8 };
    expect(row('department', big.department)).to.include(expectedBig);
    expect(row('item', big.item)).to.include(expectedBig);
    const suppressed = { received: null, accepted: null, completed: null, onTimeRate: null, averageWorkingDays: null, satisfaction: null };
    expect(row('department', small.department)).to.include(suppressed);
    expect(row('item', small.item)).to.include(suppressed);
    expect(row('department', big.department).name).to.be.a('string').and.not.equal(big.department);

    const csv = await fetch(`${stack.baseUrl}/api/open-data/statistics/${month}?format=csv`);
    expect(csv.status).to.equal(200);
    expect(csv.headers.get('content-type')).to.equal('text/csv; charset=utf-8');
    const lines = (await csv.text()).replace(/^\ufeff/, '').trim().split('\r\n');
    expect(lines[0]).to.equal('统计月份,统计维度,编码,名称,收件数,受理数,办结数,按时办结率,平均办理用时（工作日）,满意率');
    const cells = (grouping: string, code: string) => lines.find((l) => l.startsWith(`${month},${grouping},${code},`))!.split(',').slice(4);
    expect(cells('department', big.department)).to.deep.equal(['7', '6', '5', '0.8', '5', '0.8']);
    expect(cells('item', small.item)).to.deep.equal(['<5', '<5', '<5', '<5', '<5', '<5']);

    expect((await http(stack, 'GET', '/api/open-data/statistics/2019-13')).status).to.equal(400);
    expect((await http(stack, 'GET', `/api/open-data/statistics/${month}?format=xml`)).status).to.equal(400);
  });

  it('when every dataset is read, then none holds an ID number, a phone number or an applicant\'s name', async () => {
    // A real case of this month too, so the current month's statistics have one.
    const clerk = await asClerkFor(stack, big.code);
    const filed = await http(stack, 'POST', '/api/cases', { implementationCode: big.code, channel: 'window', applicant: { kind: 'person', name: '黄丽娟', idNumber: '330102198802164527', phone: '13588036752' }, formData: readFormFolder({ key: 'individual-business-registration', version: 1 }).example }, clerk);
    expect(filed.status, JSON.stringify(filed.body)).to.equal(201);
    await eventually(() => stack.db('cases').where({ case_no: filed.body.caseNo }).first('case_no'), 'the case in the read model');
    const thisMonth = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 7);
    const urls = ['/api/open-data', '/api/open-data/catalogue', '/api/open-data/catalogue?format=csv', `/api/open-data/statistics/${month}`, `/api/open-data/statistics/${month}?format=csv`, `/api/open-data/statistics/${thisMonth}`, `/api/open-data/statistics/${thisMonth}?format=csv`];
    const names = (await stack.db('cases').select<{ name: string }[]>(stack.db.raw(`distinct applicant->>'name' as name`))).map((n) => n.name).filter((n) => n && [...n].length >= 2);
    expect(names).to.include.members(['欧阳历史', '黄丽娟']);
    const catalogue = await http(stack, 'GET', '/api/open-data/catalogue');
    expect(catalogue.body.rows.length).to.be.greaterThan(3);
    expect(catalogue.body.rows.map((x: { implementationCode: string }) => x.implementationCode)).to.include(big.code);
    for (const url of urls) {
      const res = await fetch(`${stack.baseUrl}${url}`);
      expect(res.status, url).to.equal(200);
      const text = await res.text();
      expect(text, `${url}: an ID number`).to.not.match(/(?<![0-9])[1-9][0-9]{16}[0-9X](?![0-9])/);
      expect(text, `${url}: a mobile number`).to.not.match(/(?<![0-9])1[3-9][0-9]{9}(?![0-9])/);
      for (const name of names) expect(text, `${url}: the name ${name}`).to.not.include(name);
    }
    const current = await http(stack, 'GET', `/api/open-data/statistics/${thisMonth}`);
    expect(current.body.rows.some((x: { grouping: string; code: string }) => x.grouping === 'department' && x.code === big.department)).to.equal(true);
  });
});
