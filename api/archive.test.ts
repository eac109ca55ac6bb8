/**
 * 审批档案 over the real stack: a case closed over HTTP gets a sealed package in the archive store;
 * supervisors list, download and verify it; a changed byte in one file is named by the API and by
 * the command (scripts/verify-archive.ts), an added file too.
 */
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readFormFolder } from '../lib/forms';
import { ctx } from '../test/context';
import { samplePng } from '../test/sample-files';
import { asApplicant, asClerkFor, asStaff, eventually, http, sharedStack, type Stack } from '../test/harness';

const person = { idNumber: '330106199003073514', name: '张三', phone: '13800138000' };
const address = { name: '张三', phone: '13800138000', address: '浙江省杭州市西湖区文三路100号' };
const feeItem = 'QR-330000-00010.xh-gaj';
const repoRoot = path.resolve(__dirname, '..');

describe('approval archive (审批档案)', function () {
  this.timeout(120_000);
  let stack: Stack;
  let supervisor: Record<string, string>;
  let caseNo = '';
  let dir = '';

  before(async () => {
    stack = await sharedStack();
    supervisor = await asStaff(stack, 'supervisor-zhao');
    stack.defaultHeaders = supervisor;
  });
  after(async () => {
    await stack?.stop();
  });

  async function live(no: string) {
    const r = await http(stack, 'GET', `/api/cases/${no}/live`);
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    return r.body;
  }

  /** Acts as the people and platforms around the case until it is closed. */
  async function driveToClose(no: string) {
    for (let i = 0; i < 300; i++) {
      const view = await live(no);
      if (view.status === 'closed') return;
      const open = await stack.db('tasks').where({ case_no: no, status: 'open' }).first<{ id: string; kind: string; department_code: string; role: string } | undefined>();
      if (open) {
        const user = await stack.db('staff_users').where({ department_code: open.department_code }).whereRaw('? = any(roles)', [open.role]).first<{ id: string }>('id');
        const action = open.kind === 'precheck' ? 'accept' : open.kind === 'handover' ? 'handover' : 'approve';
        const r = await http(stack, 'POST', `/api/tasks/${open.id}/complete`, { action, opinion: '同意', ...(action === 'accept' ? { missingMaterialsReason: '材料已当面核验，纸质件另行归档' } : {}) }, await asStaff(stack, user.id));
        expect(r.status, JSON.stringify(r.body)).to.be.oneOf([200, 409]);
      } else if (view.status === 'awaiting_payment') {
        const p = await stack.db('payments').where({ case_no: no, status: 'open' }).first();
        if (p) await stack.sims.payment.control.pay(p.id);
      } else if (view.status === 'delivering') {
        const d = await stack.db('deliveries').where({ case_no: no }).first();
        if (d && d.status !== 'delivered') await stack.sims.logistics.control.advance(d.waybill_no, 'delivered');
      } else if (view.status === 'completed' && !view.evaluation) {
        const rated = await http(stack, 'POST', `/api/cases/${no}/evaluation`, { level: 5, comment: '满意' }, await asApplicant(stack, person));
        expect(rated.status, JSON.stringify(rated.body)).to.equal(204);
      }
      await new Promise((res) => setTimeout(res, 100));
    }
    throw new Error(`${no} did not close`);
  }

  it('when a case closes, then its sealed package is in the archive store, listed for supervisors and verified intact', async () => {
    const clerk = await asClerkFor(stack, feeItem);
    const filed = await http(stack, 'POST', '/api/cases', { implementationCode: feeItem, channel: 'window', applicant: { kind: 'person', ...person }, formData: readFormFolder({ key: 'resident-id-card-renewal', version: 1 }).example, delivery: { method: 'courier', address } }, clerk);
    expect(filed.status, JSON.stringify(filed.body)).to.equal(201);
    caseNo = filed.body.caseNo;
    await eventually(() => stack.db('cases').where({ case_no: caseNo }).first('case_no'), 'the case in the read model');
    const uploaded = await http(stack, 'POST', `/api/cases/${caseNo}/materials`, { materialName: '身份证明', fileName: '身份证.png', contentType: 'image/png', dataBase64: samplePng().toString('base64') }, clerk);
    expect(uploaded.status, JSON.stringify(uploaded.body)).to.equal(201);
    await driveToClose(caseNo);

    const listed = await eventually(async () => {
      const r = await http(stack, 'GET', `/api/archive?caseNo=${caseNo}`);
      expect(r.status, JSON.stringify(r.body)).to.equal(200);
      return r.body.packages.length === 1 && r.body.packages[0];
    }, 'the package listed', 30_000);
    expect(listed).to.include({ caseNo, department: 'xh-gaj' });
    expect(listed.manifestSm3).to.match(/^[0-9a-f]{64}$/);

    const verified = await http(stack, 'GET', `/api/archive/${caseNo}/verify`);
    expect(verified.status).to.equal(200);
    expect(verified.body).to.deep.include({ caseNo, verdict: 'intact', sealValid: true, keyProblem: null, changed: [], missing: [], unexpected: [] });

    const row = await stack.db('archive_packages').where({ case_no: caseNo }).first();
    dir = path.join(stack.archiveDir, ...String(row.location).split('/'));
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    const paths = manifest.files.map((f: { path: string }) => f.path);
    expect(paths).to.include.members(['application.json', 'materials/01-身份证.png', 'documents/receipt.json', 'documents/accept.json', 'documents/approval.json', 'documents/service.json', 'history.json', 'audit.json', 'certificate.json']);
    expect(fs.readFileSync(path.join(dir, 'materials', '01-身份证.png')).equals(samplePng())).to.equal(true);
    const history = JSON.parse(fs.readFileSync(path.join(dir, 'history.json'), 'utf8'));
    expect(history.timeline.length).to.be.greaterThan(3);
    expect(history.events.map((e: { type: string }) => e.type)).to.include.members(['filed', 'decided', 'closed']);
    const approval = JSON.parse(fs.readFileSync(path.join(dir, 'documents', 'approval.json'), 'utf8'));
    expect(approval.number).to.match(/准许〔\d{4}〕\d{6}号$/);
    expect(manifest.seal).to.include({ algorithm: 'SM2-SM3', keyId: listed.keyId });
  });

  it('when a supervisor downloads the package, then it is one tar file holding every file, and the download is audited', async () => {
    const res = await fetch(`${stack.baseUrl}/api/archive/${caseNo}`, { headers: supervisor });
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.equal('application/x-tar');
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'archive-download-'));
    try {
      fs.writeFileSync(path.join(tmp, 'p.tar'), Buffer.from(await res.arrayBuffer()));
      execFileSync('tar', ['-xf', 'p.tar'], { cwd: tmp });
      const extracted = path.join(tmp, caseNo);
      expect(fs.readFileSync(path.join(extracted, 'materials', '01-身份证.png')).equals(samplePng())).to.equal(true);
      expect(fs.readFileSync(path.join(extracted, 'manifest.sig'), 'utf8')).to.equal(fs.readFileSync(path.join(dir, 'manifest.sig'), 'utf8'));
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
    const audited = await stack.db('audit_log').where({ case_no: caseNo, action: 'archive.download' }).first();
    expect(audited).to.not.equal(undefined);
    // Staff other than supervisors may not; nobody signed out may.
    expect((await http(stack, 'GET', `/api/archive/${caseNo}`, undefined, await asClerkFor(stack, feeItem))).status).to.equal(403);
    expect((await http(stack, 'GET', `/api/archive/${caseNo}/verify`, undefined, { authorization: '' })).status).to.equal(401);
    expect((await http(stack, 'GET', '/api/archive/2026010133010000000000/verify')).status).to.equal(404);
  });

  it('when one byte of one file changes, then the API and the command name that file, and an added file is named too', async () => {
    const file = path.join(dir, 'application.json');
    const original = fs.readFileSync(file);
    const changed = Buffer.from(original);
    const at = changed.indexOf(Buffer.from('"caseNo"')) + 2;
    changed[at] = changed[at] ^ 0x01;
    fs.writeFileSync(file, changed);
    try {
      const r = await http(stack, 'GET', `/api/archive/${caseNo}/verify`);
      expect(r.body).to.deep.include({ verdict: 'tampered', sealValid: true, changed: ['application.json'], missing: [], unexpected: [] });

      const cli = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/verify-archive.ts', dir], { cwd: repoRoot, env: { ...process.env, DATABASE_URL: ctx.databaseUrl }, encoding: 'utf8', timeout: 60_000 });
      expect(cli.status, cli.stderr).to.equal(1);
      expect(cli.stdout, cli.stderr).to.match(/^changed\s+application\.json$/m);
      expect(cli.stdout).to.match(/^verdict\s+tampered$/m);
    } finally {
      fs.writeFileSync(file, original);
    }
    fs.writeFileSync(path.join(dir, 'extra.txt'), '后来放进去的文件');
    try {
      const r = await http(stack, 'GET', `/api/archive/${caseNo}/verify`);
      expect(r.body).to.deep.include({ verdict: 'tampered', changed: [], unexpected: ['extra.txt'] });
    } finally {
      fs.rmSync(path.join(dir, 'extra.txt'));
    }
    const restored = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/verify-archive.ts', caseNo], { cwd: repoRoot, env: { ...process.env, DATABASE_URL: ctx.databaseUrl, ARCHIVE_DIR: stack.archiveDir }, encoding: 'utf8', timeout: 60_000 });
    expect(restored.status, restored.stdout + restored.stderr).to.equal(0);
    expect(restored.stdout).to.match(/^verdict\s+intact$/m);
  });
});
