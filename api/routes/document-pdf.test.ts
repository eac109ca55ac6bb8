/**
 * The documents as PDF over HTTP (GET /cases/{caseNo}/documents/{kind}/pdf), against the shared
 * stack with real cases: every kind of document parses (pdfjs-dist), is A4, and its text holds the
 * number, the title, the applicant and every word of the content the page shows; reading never
 * numbers a document; access is as for the document itself; without the font the answer is a
 * 503 in Chinese, never a PDF of empty boxes.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../app';
import { RateLimiter } from '../auth/rate-limit';
import { readFormFolder } from '../../lib/forms';
import { configureLogging } from '../../lib/log';
import { asApplicant, asStaff, eventually, http, platformSecret, secretKey, sharedStack, type Stack } from '../../test/harness';
import type { Block } from '../services/document-content';
import { loadPdfFont } from '../services/document-pdf';
import { englishWords } from '../../web/e2e/english';

const code = 'XK-330000-00001.xh-scjg';
const owner = { idNumber: '330106199003073514', name: '张三', phone: '13800138000' };
const stranger = { idNumber: '330106198503122410', name: '刘建军', phone: '13588036751' };

interface PdfRead { pages: number; size: number[]; text: string; title: string | undefined }

/** The PDF's pages, page size, and text with all white space removed (lines break anywhere in Chinese). */
async function readPdf(bytes: Buffer): Promise<PdfRead> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data: new Uint8Array(bytes), disableFontFace: true, verbosity: 0 }).promise;
  let text = '';
  for (let i = 1; i <= doc.numPages; i++) {
    const content = await (await doc.getPage(i)).getTextContent();
    text += content.items.map((item) => ('str' in item ? item.str : '')).join('');
  }
  const first = await doc.getPage(1);
  const meta = await doc.getMetadata();
  const title = (meta.info as { Title?: string }).Title;
  const read = { pages: doc.numPages, size: first.view.map((n) => Math.round(n)), text: text.replace(/\s+/g, ''), title };
  await doc.destroy();
  return read;
}

/** Every piece of text a block shows. */
function wordsOf(block: Block): string[] {
  switch (block.kind) {
    case 'paragraph': return block.spans.map((s) => s.text);
    case 'heading': case 'reasons': return [block.text];
    case 'list': return block.items;
    case 'table': return block.rows.flatMap((r) => [r.label, r.value]);
  }
}

const squeeze = (s: string) => s.replace(/\s+/g, '');

describe('documents as PDF over HTTP', function () {
  this.timeout(180_000);
  let stack: Stack;
  let clerk: Record<string, string>;
  let approver: Record<string, string>;
  let otherApprover: Record<string, string>;
  let supervisor: Record<string, string>;
  let applicant: Record<string, string>;
  let strangerApplicant: Record<string, string>;
  /** The three cases: refused at pre-check after a correction, refused on review, approved. */
  let rejected: string;
  let refused: string;
  let approved: string;
  const reasons = { reject: '经营场所位于禁止经营区域，不符合登记条件', refusal: '申请经营范围属于负面清单，依法不予许可' };

  const file = async () => {
    const r = await http(stack, 'POST', '/api/cases', { implementationCode: code, channel: 'window', applicant: { kind: 'person', ...owner }, formData: readFormFolder({ key: 'individual-business-registration', version: 1 }).example }, clerk);
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    return r.body.caseNo as string;
  };
  const complete = async (caseNo: string, kind: string, who: Record<string, string>, body: Record<string, unknown>) => {
    const t = await eventually(() => stack.db('tasks').where({ case_no: caseNo, kind, status: 'open' }).first<{ id: string } | undefined>('id'), `${kind} task of ${caseNo}`, 30_000);
    const r = await http(stack, 'POST', `/api/tasks/${t.id}/complete`, body, who);
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
  };
  const settled = (caseNo: string, wanted: (s: string) => boolean) => eventually(async () => {
    const s = (await stack.db('cases').where({ case_no: caseNo }).first<{ status: string } | undefined>('status'))?.status;
    return s && wanted(s) ? s : undefined;
  }, `case ${caseNo} to move on`, 30_000);
  const issue = (caseNo: string, kind: string, who: Record<string, string>) => http(stack, 'POST', `/api/cases/${caseNo}/documents/${kind}`, undefined, who);
  const getPdf = async (caseNo: string, kind: string, who: Record<string, string>, base = stack.baseUrl) => {
    const res = await fetch(`${base}/api/cases/${caseNo}/documents/${kind}/pdf`, { headers: who });
    const bytes = Buffer.from(await res.arrayBuffer());
    return { status: res.status, type: res.headers.get('content-type') ?? '', disposition: res.headers.get('content-disposition') ?? '', bytes, problem: () => JSON.parse(bytes.toString('utf8')) as { type: string; title: string; detail: string } };
  };
  const documentRows = async (caseNo: string) => (await stack.db('case_documents').where({ case_no: caseNo }).count<{ n: string }[]>('* as n'))[0].n;

  before(async () => {
    stack = await sharedStack();
    [clerk, approver, otherApprover, supervisor] = await Promise.all([asStaff(stack, 'clerk-wang'), asStaff(stack, 'approver-li'), asStaff(stack, 'approver-chen'), asStaff(stack, 'supervisor-zhao')]);
    applicant = await asApplicant(stack, owner);
    strangerApplicant = await asApplicant(stack, stranger);
    [rejected, refused, approved] = [await file(), await file(), await file()];
    await eventually(async () => (await issue(rejected, 'receipt', clerk)).status === 200, 'the receipt once the case is projected');
    await complete(rejected, 'precheck', clerk, { action: 'correction', opinion: '请补正经营场所证明', problems: ['缺少经营场所使用证明'] });
    await settled(rejected, (s) => s === 'awaiting_correction');
    expect((await http(stack, 'POST', `/api/cases/${rejected}/correction`, { note: '已补交' }, clerk)).status).to.equal(200);
    await complete(rejected, 'precheck', clerk, { action: 'reject', opinion: reasons.reject });
    for (const c of [refused, approved]) await complete(c, 'precheck', clerk, { action: 'accept', opinion: '予以受理', missingMaterialsReason: '材料已当面核验，纸质件另行归档' });
    await complete(refused, 'review', approver, { action: 'refuse', opinion: reasons.refusal });
    await complete(approved, 'review', approver, { action: 'approve', opinion: '符合条件，准予登记' });
    await Promise.all([
      settled(rejected, (s) => s === 'not_accepted'),
      settled(refused, (s) => !['in_review', 'prechecking', 'filed'].includes(s)),
      settled(approved, (s) => !['in_review', 'prechecking', 'filed'].includes(s)),
    ]);
  });
  after(async () => {
    await stack?.stop();
  });

  const kinds: [string, () => string, string[]][] = [
    ['receipt', () => rejected, ['收件回执', '个体工商户设立登记', '收取材料', '本回执不代表申请已被受理']],
    ['correction', () => rejected, ['补正材料告知书', '缺少经营场所使用证明', '一次性告知']],
    ['reject', () => rejected, ['不予受理通知书', reasons.reject, '行政复议', '行政诉讼']],
    ['accept', () => refused, ['受理通知书', '第三十二条', '决定予以受理']],
    ['refusal', () => refused, ['不予行政许可决定书', reasons.refusal, '第三十八条第二款', '行政复议', '行政诉讼']],
    ['approval', () => approved, ['准予行政许可决定书', '第三十八条第一款', '符合条件，准予登记']],
    ['service', () => approved, ['送达回证', '准予行政许可决定书', '受送达人签名', '送达人签名']],
  ];

  for (const [kind, caseOf, expected] of kinds) {
    it(`when the ${kind} document has been issued, then its PDF is an A4 attachment whose text holds the number, the title, the applicant and every word the page shows`, async () => {
      const caseNo = caseOf();
      const view = await issue(caseNo, kind, kind === 'approval' || kind === 'refusal' ? approver : clerk);
      expect(view.status, JSON.stringify(view.body)).to.equal(200);
      const res = await getPdf(caseNo, kind, kind === 'approval' || kind === 'refusal' ? approver : clerk);
      expect(res.status, res.bytes.toString('utf8').slice(0, 300)).to.equal(200);
      expect(res.type).to.match(/^application\/pdf/);
      expect(res.bytes.subarray(0, 5).toString('latin1')).to.equal('%PDF-');
      // The Chinese name per RFC 5987, and an ASCII name for clients without it.
      expect(res.disposition).to.match(new RegExp(`^attachment; filename="${kind}-${caseNo}\\.pdf"; filename\\*=UTF-8''`));
      const encoded = /filename\*=UTF-8''([^;]+)/.exec(res.disposition)?.[1] ?? '';
      expect(encoded, 'only attr-chars').to.match(/^[A-Za-z0-9%!#$&+.^_`|~-]+$/);
      expect(decodeURIComponent(encoded)).to.equal(`${view.body.title}-${squeeze(view.body.number)}.pdf`);

      const pdf = await readPdf(res.bytes);
      expect(pdf.size, 'A4 in points').to.deep.equal([0, 0, 595, 842]);
      expect(pdf.title).to.equal(`${view.body.title} ${view.body.number}`);
      expect(pdf.text).to.contain(squeeze(view.body.number)).and.to.contain(view.body.title).and.to.contain(owner.name).and.to.contain(view.body.issuer.name);
      for (const words of expected) expect(pdf.text, words).to.contain(squeeze(words));
      // The same words as the page: every block of the content, the case line, the seal area and the date.
      const content = view.body.content as { caseLine: string; blocks: Block[]; sealText: string; issuedOn: string };
      for (const words of [content.caseLine, ...content.blocks.flatMap(wordsOf), content.sealText, content.issuedOn]) expect(pdf.text, words).to.contain(squeeze(words));
    });
  }

  it('when a document has not been issued, then the PDF read answers 409 and numbers nothing; a kind the case does not have is 409 too', async () => {
    const fresh = await file();
    await eventually(async () => (await stack.db('cases').where({ case_no: fresh }).first('case_no')) !== undefined, 'the case in the read model');
    for (const who of [clerk, applicant]) {
      const res = await getPdf(fresh, 'receipt', who);
      expect(res.status).to.equal(409);
      expect(res.type).to.match(/^application\/problem\+json/);
      expect(res.problem().type).to.match(/document-not-issued$/);
    }
    expect(await documentRows(fresh), 'no number given by a read').to.equal('0');
    const before = await documentRows(rejected);
    const none = await getPdf(rejected, 'approval', clerk);
    expect(none.status).to.equal(409);
    expect(none.problem().type).to.match(/document-not-available$/);
    expect(await documentRows(rejected)).to.equal(before);
    expect((await getPdf(rejected, 'verdict', clerk)).status, 'no such kind').to.equal(404);
    expect((await getPdf('12345', 'receipt', clerk)).status, 'not a case number').to.equal(400);
  });

  it('when others ask, then the owner and a supervisor (masked) get the PDF, a stranger, another department and an anonymous caller do not; a staff download is audited', async () => {
    expect((await issue(rejected, 'reject', clerk)).status).to.equal(200);
    const mine = await getPdf(rejected, 'reject', applicant);
    expect(mine.status).to.equal(200);
    expect((await readPdf(mine.bytes)).text).to.contain(squeeze(reasons.reject));
    const receipt = await getPdf(rejected, 'receipt', supervisor);
    expect(receipt.status, 'a supervisor reads what was issued').to.equal(200);
    const masked = await readPdf(receipt.bytes);
    expect(masked.text).to.contain('收件回执');
    expect(masked.text, 'personal data masked for a supervisor').to.not.contain(owner.idNumber);
    const full = await readPdf((await getPdf(rejected, 'receipt', clerk)).bytes);
    expect(full.text, 'in full for the clerk').to.contain(owner.idNumber);

    const strangerRes = await getPdf(rejected, 'reject', strangerApplicant);
    expect(strangerRes.status, 'someone else\'s case is not revealed').to.equal(404);
    expect(strangerRes.type).to.match(/^application\/problem\+json/);
    expect((await getPdf(rejected, 'reject', otherApprover)).status).to.equal(403);
    expect((await getPdf(rejected, 'reject', {})).status).to.equal(401);

    const audited = await stack.db('audit_log').where({ case_no: rejected, action: 'privacy.full-view' }).select<{ actor: string; detail: { what: string } | string }[]>('actor', 'detail');
    const whats = audited.map((a) => (typeof a.detail === 'string' ? JSON.parse(a.detail) as { what: string } : a.detail).what);
    expect(whats).to.include('document receipt (PDF)');
    expect(audited.map((a) => a.actor).join(' ')).to.contain('clerk-wang');
  });

  it('when the font is missing, then the PDF read answers 503 with a problem in Chinese, and a font without Chinese glyphs is refused too', async () => {
    const missing = '/nonexistent/onewindow-test-font.ttc';
    expect(loadPdfFont(missing)).to.have.property('problem').that.contains('PDF_FONT_FILE').and.contains('fonts-wqy-microhei');
    expect(loadPdfFont(__filename)).to.have.property('problem').that.contains('not a font');
    const latin = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';
    if (fs.existsSync(latin)) expect(loadPdfFont(latin)).to.have.property('problem').that.contains('no Chinese glyphs');
    expect(loadPdfFont('/usr/share/fonts/truetype/wqy/wqy-microhei.ttc')).to.have.property('bytes');

    // The API as it starts without the font: one ERROR line saying what is missing and what to install.
    const logged: { level: string; msg: string }[] = [];
    configureLogging({ service: 'test', level: 'WARN', destination: { write: (line: string) => { logged.push(JSON.parse(line) as { level: string; msg: string }); } } });
    let app: ReturnType<typeof createApp>;
    try {
      app = createApp({ db: stack.db, client: stack.client, taskQueue: stack.taskQueue, platformSecret, secretKey, limiter: new RateLimiter(), pdfFontFile: missing });
    } finally {
      configureLogging({ service: 'test', level: 'SILENT' });
    }
    const said = logged.filter((l) => l.msg.includes('PDF font is missing'));
    expect(said.map((l) => l.level)).to.deep.equal(['error']);
    expect(said[0].msg).to.contain(missing).and.to.contain('fonts-wqy-microhei').and.to.contain('503');
    const server: Server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      expect((await issue(approved, 'approval', approver)).status).to.equal(200);
      const res = await getPdf(approved, 'approval', approver, base);
      expect(res.status).to.equal(503);
      expect(res.type).to.match(/^application\/problem\+json/);
      const problem = res.problem();
      expect(problem.type).to.match(/pdf-unavailable$/);
      expect(problem.title).to.match(/[\u4e00-\u9fff]/);
      expect(englishWords(problem.title), 'a title in Chinese (PDF is an abbreviation)').to.deep.equal([]);
      expect(problem.detail).to.contain('字体');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
