/**
 * Every operation of the OpenAPI document × every kind of caller: who gets through and who is
 * turned away (401 signed out, 403 not allowed, 404 for someone else's case). The expected table
 * is written here by hand, independently of the routes, and an operation missing from it fails.
 *
 * Requests carry an empty or dummy body, so a caller who gets through meets a 400/404/409/422 and
 * nothing changes; a real case (filed at the window for 张三, handled by 西湖区市场监管局) gives
 * the case routes something to protect.
 */
import { expect } from 'chai';
import { operations } from './openapi';
import { asApplicant, asIntegrator, asStaff, eventually, forgetStaffSessions, http, newApiKey, sharedStack, type Stack } from '../test/harness';
import { readFormFolder } from '../lib/forms';
import type { NewApiKey } from './auth/api-keys';

type Caller = 'anonymous' | 'owner' | 'stranger' | 'integrator' | 'clerk' | 'approver' | 'otherApprover' | 'supervisor' | 'catalogueAdmin' | 'platformAdmin';
const callers: Caller[] = ['anonymous', 'owner', 'stranger', 'integrator', 'clerk', 'approver', 'otherApprover', 'supervisor', 'catalogueAdmin', 'platformAdmin'];

const everyone = callers;
const signedIn = callers.filter((c) => c !== 'anonymous');
const allStaff: Caller[] = ['clerk', 'approver', 'otherApprover', 'supervisor', 'catalogueAdmin', 'platformAdmin'];
const caseSeers: Caller[] = ['owner', 'clerk', 'approver', 'supervisor'];

/** Who gets through, per "METHOD /path". */
const allowed: Record<string, Caller[]> = {
  'GET /health': everyone,
  'GET /openapi.json': everyone,
  'POST /auth/login': everyone,
  'POST /auth/applicant/sms': everyone,
  'POST /auth/applicant/login': everyone,
  'POST /auth/applicant/face-check': ['owner', 'stranger'],
  'GET /auth/applicant/face-check/{checkId}': ['owner', 'stranger'],
  'GET /auth/me': signedIn,
  'POST /auth/logout': signedIn,
  'POST /auth/password': allStaff,
  'GET /implementations': everyone,
  'GET /implementations/{code}': everyone,
  'GET /implementations/{code}/versions': everyone,
  'GET /implementations/{code}/versions/{version}': everyone,
  'GET /implementations/{code}/diff': everyone,
  'GET /implementations/{code}/export': everyone,
  'POST /catalogue/import': ['catalogueAdmin'],
  'GET /catalogue/options': ['catalogueAdmin'],
  'POST /catalogue/validate': ['catalogueAdmin'],
  'POST /catalogue/preview': ['catalogueAdmin'],
  'POST /implementations/{code}/drafts': ['catalogueAdmin'],
  'PUT /implementations/{code}/versions/{version}': ['catalogueAdmin'],
  'DELETE /implementations/{code}/versions/{version}': ['catalogueAdmin'],
  'POST /implementations/{code}/versions/{version}/submit': ['catalogueAdmin'],
  'POST /implementations/{code}/changes': ['catalogueAdmin'],
  'GET /changes/{id}': ['catalogueAdmin'],
  'GET /reviews': ['catalogueAdmin'],
  'POST /changes/{id}/reviews': ['catalogueAdmin'],
  'GET /calendar/add': everyone,
  'GET /calendar/between': everyone,
  'GET /calendar/{year}': everyone,
  'PUT /calendar/{year}': ['catalogueAdmin'],
  'PUT /calendar/days/{date}': ['catalogueAdmin'],
  'POST /cases': ['owner', 'stranger', 'integrator', 'clerk'],
  'GET /cases': ['owner', 'stranger', 'integrator', 'clerk', 'approver', 'otherApprover', 'supervisor'],
  'GET /cases/{caseNo}': caseSeers,
  'GET /cases/{caseNo}/live': caseSeers,
  'GET /cases/{caseNo}/history': caseSeers,
  'POST /cases/{caseNo}/correction': ['owner', 'clerk'],
  'POST /cases/{caseNo}/withdrawal': ['owner', 'clerk'],
  'POST /cases/{caseNo}/precondition': ['owner', 'clerk'],
  'POST /cases/{caseNo}/evaluation': ['owner'],
  'POST /cases/{caseNo}/materials': ['owner', 'clerk', 'approver'],
  'GET /cases/{caseNo}/materials': caseSeers,
  'GET /cases/{caseNo}/materials/{id}': ['owner', 'clerk', 'approver'],
  'GET /cases/{caseNo}/checklist': caseSeers,
  'PUT /cases/{caseNo}/checklist/{materialId}': ['owner', 'clerk', 'approver'],
  'POST /cases/{caseNo}/extension': ['approver'],
  'POST /cases/{caseNo}/special-procedure/end': ['approver'],
  'GET /tasks': allStaff,
  'POST /tasks/{taskId}/complete': allStaff,
  'POST /tasks/{taskId}/claim': allStaff,
  'POST /tasks/{taskId}/release': allStaff,
  'POST /tasks/{taskId}/reassign': allStaff,
  'GET /supervision/cases': ['supervisor'],
  'GET /supervision/events': ['supervisor'],
  'GET /supervision/indicators': ['supervisor'],
  'GET /supervision/simulation': ['supervisor'],
  'GET /supervision/workflows': ['supervisor'],
  'GET /supervision/stuck-cases': ['supervisor'],
  'GET /supervision/stopped-cases': ['supervisor', 'platformAdmin'],
  'POST /supervision/stopped-cases/{caseNo}/revive': ['platformAdmin'],
  'POST /cases/{caseNo}/urges': ['supervisor'],
  'POST /cases/{caseNo}/urges/{urgeId}/answer': ['clerk', 'approver'],
  'POST /cases/{caseNo}/orders': ['supervisor'],
  'GET /cases/{caseNo}/orders': ['clerk', 'approver', 'supervisor'],
  'GET /certificates/{number}/verify': everyone,
  'GET /views/departments': everyone,
  'GET /views/inbox': allStaff,
  'GET /views/cases': ['clerk', 'approver', 'otherApprover', 'supervisor'],
  'GET /views/handled': allStaff,
  'GET /views/finished': allStaff,
  'GET /views/my-cases': ['owner', 'stranger'],
  'GET /drafts': ['clerk'],
  'POST /drafts': ['clerk'],
  'GET /drafts/{id}': ['clerk'],
  'PUT /drafts/{id}': ['clerk'],
  'DELETE /drafts/{id}': ['clerk'],
  'GET /cases/{caseNo}/documents': caseSeers,
  'POST /cases/{caseNo}/documents/{kind}': caseSeers,
  'GET /cases/{caseNo}/documents/{kind}/pdf': caseSeers,
  'GET /views/certificates': ['clerk'],
  'POST /certificates/verify': everyone,
  // Platform callbacks answer only to the platform's signature: every caller here is refused.
  'POST /callbacks/payment': [],
  'POST /callbacks/logistics': [],
  'POST /callbacks/department': [],
  'POST /callbacks/identity': [],
  'POST /callbacks/province': [],
  'POST /admin/api-keys': ['platformAdmin'],
  'GET /admin/api-keys': ['platformAdmin'],
  'POST /admin/api-keys/{id}/revoke': ['platformAdmin'],
  'POST /integrations/webhooks': ['integrator'],
  'GET /integrations/webhooks': ['integrator'],
  'DELETE /integrations/webhooks/{id}': ['integrator'],
  'GET /integrations/webhooks/{id}/deliveries': ['integrator'],
  'GET /audit': ['supervisor', 'platformAdmin'],
  'GET /audit/verify': ['supervisor', 'platformAdmin'],
  // Data outwards: open data for anyone; the archive for supervisors; the exchange's state as the audit log.
  'GET /open-data': everyone,
  'GET /open-data/catalogue': everyone,
  'GET /open-data/statistics/{month}': everyone,
  'GET /archive': ['supervisor'],
  'GET /archive/{caseNo}': ['supervisor'],
  'GET /archive/{caseNo}/verify': ['supervisor'],
  'GET /exchange': ['supervisor', 'platformAdmin'],
  // The service hall: its plan and screen are public; applicants book; the hall's clerks issue and call; kiosks (no such caller here) track and hand over.
  'GET /hall/halls': everyone,
  'GET /hall/halls/{hall}': everyone,
  'GET /hall/halls/{hall}/slots': everyone,
  'POST /hall/appointments': ['owner', 'stranger'],
  'GET /hall/appointments': ['owner', 'stranger'],
  'POST /hall/appointments/{id}/cancel': ['owner', 'stranger'],
  'POST /hall/tickets': ['clerk'],
  'GET /hall/tickets/{id}': everyone,
  'POST /hall/tickets/{id}/evaluation': everyone,
  'GET /hall/halls/{hall}/windows/{window}': ['clerk'],
  'POST /hall/halls/{hall}/windows/{window}/call': ['clerk'],
  'POST /hall/tickets/{id}/recall': ['clerk'],
  'POST /hall/tickets/{id}/no-show': ['clerk'],
  'POST /hall/tickets/{id}/finish': ['clerk'],
  'POST /hall/tickets/{id}/transfer': ['clerk'],
  'POST /hall/tickets/{id}/case': ['clerk'],
  'GET /hall/halls/{hall}/screen': everyone,
  'GET /hall/indicators': ['supervisor'],
  'POST /hall/kiosk/track': [],
  'POST /hall/kiosk/pickups': [],
  'POST /cases/{caseNo}/pickup-code': ['owner'],
};

describe('authorisation: every route × every kind of caller', () => {
  let stack: Stack;
  let caseNo: string;
  let key: NewApiKey;
  const headers = {} as Record<Exclude<Caller, 'integrator'>, Record<string, string>>;

  before(async () => {
    stack = await sharedStack();
    key = await newApiKey(stack, ['cases:file', 'cases:read', 'webhooks']);
    headers.anonymous = {};
    headers.owner = await asApplicant(stack, { idNumber: '330106199003073514', name: '张三', phone: '13800138000' });
    headers.stranger = await asApplicant(stack, { idNumber: '330106198503122410', name: '刘建军', phone: '13588036751' });
    headers.clerk = await asStaff(stack, 'clerk-wang');
    headers.approver = await asStaff(stack, 'approver-li');
    headers.otherApprover = await asStaff(stack, 'approver-chen');
    headers.supervisor = await asStaff(stack, 'supervisor-zhao');
    headers.catalogueAdmin = await asStaff(stack, 'admin-qian');
    headers.platformAdmin = await asStaff(stack, 'ops-jiang');
    const filed = await http(stack, 'POST', '/api/cases', {
      implementationCode: 'XK-330000-00001.xh-scjg', channel: 'window',
      applicant: { kind: 'person', name: '张三', idNumber: '330106199003073514', phone: '13800138000' },
      formData: readFormFolder({ key: 'individual-business-registration', version: 1 }).example,
    }, headers.clerk);
    expect(filed.status, JSON.stringify(filed.body)).to.equal(201);
    caseNo = filed.body.caseNo;
    await eventually(async () => (await stack.db('tasks').where({ case_no: caseNo }).first()) !== undefined, 'the case in the read model');
  });
  after(async () => {
    // The last call signed every caller out: later suites on the shared stack sign in again.
    // The catalogue administrator's call opened a draft of the sample entry; discard it, so that
    // a later suite on the same database (the contract test) can open one of its own.
    if (stack) {
      forgetStaffSessions(stack);
      const admin = await asStaff(stack, 'admin-qian');
      const drafts = await stack.db('implementation_versions').where({ implementation_code: sample.code, state: 'draft' }).select<{ version: number }[]>('version');
      for (const d of drafts) {
        const res = await http(stack, 'DELETE', `/api/implementations/${sample.code}/versions/${d.version}`, undefined, admin);
        expect(res.status, JSON.stringify(res.body)).to.equal(204);
      }
    }
    await stack?.stop();
  });

  const sample: Record<string, string> = {
    code: 'XK-330000-00001.xh-scjg', version: '1', id: 'no-such-id', year: '2026', date: '2026-12-31',
    taskId: 'no-such-task', urgeId: 'no-such-urge', number: 'no-such-certificate', kind: 'receipt', materialId: 'no-such-material', month: '2026-09', hall: 'xh-zwfw', window: '1',
  };
  const query: Record<string, string> = {
    'GET /implementations/{code}/diff': '?from=1&to=1',
    'GET /calendar/add': '?from=2026-09-18T02:00:00Z&days=1',
    'GET /calendar/between': '?from=2026-09-18T02:00:00Z&to=2026-09-25T02:00:00Z',
    'GET /views/certificates': '?holder=330106199307223120',
    'GET /hall/halls/{hall}/slots': '?category=A',
  };

  it('when every caller calls every operation, then exactly the expected callers get through', async () => {
    const missing = operations.map((o) => `${o.method.toUpperCase()} ${o.path}`).filter((k) => !(k in allowed));
    expect(missing, 'operations with no expectation in this test').to.deep.equal([]);
    const wrong: string[] = [];
    // Sign-out last: it ends the sessions the other calls use.
    const ordered = [...operations].sort((a, b) => Number(a.path === '/auth/logout') - Number(b.path === '/auth/logout'));
    for (const op of ordered) {
      const name = `${op.method.toUpperCase()} ${op.path}`;
      const path = `/api${op.path.replace(/\{(\w+)\}/g, (_m, p: string) => (p === 'caseNo' ? caseNo : sample[p]))}${query[name] ?? ''}`;
      const body = op.body || op.document ? {} : undefined;
      for (const caller of callers) {
        const h = caller === 'integrator' ? asIntegrator(key, op.method.toUpperCase(), path, body) : headers[caller];
        const res = await http(stack, op.method.toUpperCase(), path, body, { authorization: '', ...h });
        expect(res.status, `${name} as ${caller}: ${JSON.stringify(res.body)}`).to.be.below(500);
        // A 404 about the case itself hides someone else's case; a 404 about a dummy id inside it is getting through.
        const refused = res.status === 401 || res.status === 403 || (res.status === 404 && ((res.body as { detail?: string })?.detail ?? '').startsWith('case '));
        const expected = allowed[name].includes(caller);
        if (refused === expected) wrong.push(`${name} as ${caller}: ${res.status} ${(res.body as { detail?: string })?.detail ?? ''}`);
        if (!expected && caller === 'anonymous' && !op.path.startsWith('/callbacks')) {
          if (res.status !== 401) wrong.push(`${name} as anonymous: ${res.status}, expected 401`);
        }
      }
    }
    expect(wrong).to.deep.equal([]);
  });
});
