/**
 * Generated bad input at every POST and PUT (fast-check): malformed JSON, wrong types, unknown
 * fields, oversized bodies, huge arrays, SQL and script injection strings, path tricks, forged and
 * expired credentials, another person's case number. Each must be a 4xx problem+json, and no row
 * may be stored anywhere (only the audit log, which records refusals, and the nonce table, which
 * records every signed request, may grow).
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { operations, type Operation } from './openapi';
import { requestSchemas } from './validate';
import { asApplicant, asIntegrator, asStaff, eventually, http, newApiKey, sharedStack, type Stack } from '../test/harness';
import { readFormFolder } from '../lib/forms';
import type { NewApiKey } from './auth/api-keys';

const nasty = [
  "'; drop table cases; --", "1 OR 1=1", "\" or \"\"=\"", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
  '../../../../etc/passwd', '..\\..\\windows\\system32', '%2e%2e%2fetc%2fpasswd', '\u0000', '\uFFFF\uD800', '${jndi:ldap://x}', '{{7*7}}',
  'x'.repeat(5000), '　', '😀'.repeat(100), 'null', '-1', '1e309', '__proto__',
];

type Schema = { type?: string | string[]; properties?: Record<string, Schema>; items?: Schema; enum?: unknown[] };

/** A value of a type the schema does not allow. */
function wrongTypeFor(schema: Schema | undefined): fc.Arbitrary<unknown> {
  const t = Array.isArray(schema?.type) ? schema.type[0] : schema?.type;
  switch (t) {
    case 'string': return fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }), fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }));
    case 'integer': case 'number': return fc.oneof(fc.constantFrom(...nasty), fc.constant(null), fc.constant(1.5), fc.boolean(), fc.constant([1]));
    case 'array': return fc.oneof(fc.constantFrom(...nasty), fc.integer(), fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }), fc.constant(null));
    case 'object': return fc.oneof(fc.constantFrom(...nasty), fc.integer(), fc.array(fc.integer(), { maxLength: 3 }), fc.constant(null));
    default: return fc.oneof(fc.constantFrom(...nasty), fc.integer());
  }
}

/**
 * A body that cannot be valid: not an object at all; or the schema's own fields filled with
 * injection strings and wrong types, plus one field the schema does not know.
 */
function badBody(op: Operation): fc.Arbitrary<unknown> {
  const schema = (op.body ? requestSchemas.get(op.body) : undefined) as Schema | undefined;
  const props = Object.entries(schema?.properties ?? {});
  const known = fc.record(Object.fromEntries(props.map(([k, s]) => [k, fc.oneof(fc.constantFrom(...nasty), wrongTypeFor(s), fc.array(fc.constantFrom(...nasty), { maxLength: 5 }))])), { requiredKeys: [] });
  const unknownKey = fc.oneof(fc.constantFrom('__proto__x', 'constructor ', 'extra', '$where', 'a'.repeat(300)), fc.string({ minLength: 1, maxLength: 20 }))
    .filter((k) => !props.some(([p]) => p === k));
  const objectWithUnknown = fc.tuple(known, unknownKey, fc.constantFrom(...nasty)).map(([o, k, v]) => ({ ...o, [k]: v }));
  const notAnObject = fc.oneof(fc.constant(null), fc.integer(), fc.constantFrom(...nasty), fc.array(fc.anything(), { maxLength: 5 }), fc.boolean());
  return fc.oneof({ weight: 3, arbitrary: objectWithUnknown }, { weight: 1, arbitrary: notAnObject });
}

/** Raw texts that are not JSON, or are JSON too big to take. */
const rawBodies = fc.oneof(
  fc.constantFrom('{"a":', '{,}', "{'a': 1}", '[1,2,', 'undefined', '{"a": NaN}', '\u0000\u0001', '<xml/>', '--', '{"a":1}}'),
  fc.constant(`{"x":"${'y'.repeat(300_000)}"}`),
  fc.constant(`[${Array.from({ length: 60_000 }, () => '1').join(',')}]`),
  fc.constant(`{"materials": [${Array.from({ length: 5_000 }, () => '"m"').join(',')}], "note": "x"}`),
);

describe('bad input at every POST and PUT (property-based)', function () {
  this.timeout(300_000);
  let stack: Stack;
  let caseNo: string;
  let key: NewApiKey;
  const who: Record<string, Record<string, string>> = {};

  /** Row counts of every table but those that rightly grow on refused requests. */
  async function rowCounts(): Promise<Record<string, number>> {
    const tables = (await stack.db('pg_tables').where({ schemaname: 'public' }).pluck('tablename')) as string[];
    const counts: Record<string, number> = {};
    for (const t of tables.filter((t) => !['audit_log', 'request_nonces'].includes(t) && !t.startsWith('knex_'))) {
      const r = await stack.db(t).count<{ n: string }[]>('* as n');
      counts[t] = Number(r[0].n);
    }
    return counts;
  }

  before(async () => {
    stack = await sharedStack();
    key = await newApiKey(stack, ['cases:file', 'cases:read', 'webhooks']);
    who.owner = await asApplicant(stack, { idNumber: '330106199003073514', name: '张三', phone: '13800138000' });
    who.clerk = await asStaff(stack, 'clerk-wang');
    who.approver = await asStaff(stack, 'approver-li');
    who.supervisor = await asStaff(stack, 'supervisor-zhao');
    who.catalogueAdmin = await asStaff(stack, 'admin-qian');
    who.platformAdmin = await asStaff(stack, 'ops-jiang');
    const filed = await http(stack, 'POST', '/api/cases', {
      implementationCode: 'XK-330000-00001.xh-scjg', channel: 'window',
      applicant: { kind: 'person', name: '张三', idNumber: '330106199003073514' },
      formData: readFormFolder({ key: 'individual-business-registration', version: 1 }).example,
    }, who.clerk);
    caseNo = filed.body.caseNo;
    await eventually(async () => (await stack.db('tasks').where({ case_no: caseNo }).first()) !== undefined, 'the case in the read model');
    await new Promise((r) => setTimeout(r, 1000)); // let the filing's own projections settle before counting
  });
  after(async () => {
    await stack?.stop();
  });

  /** Someone who gets past the route's access check, so the body itself is what is judged. */
  function callerFor(op: Operation): string {
    if (op.path.startsWith('/integrations')) return 'integrator';
    if (op.path.startsWith('/admin') || op.path.startsWith('/audit')) return 'platformAdmin';
    if (op.path.startsWith('/catalogue') || op.path.startsWith('/implementations') || op.path.startsWith('/changes') || op.path.startsWith('/calendar')) return 'catalogueAdmin';
    if (op.path.includes('/urges') && !op.path.endsWith('/answer')) return 'supervisor';
    if (op.path.endsWith('/orders')) return 'supervisor';
    if (op.path.endsWith('/evaluation')) return 'owner';
    if (op.path.startsWith('/tasks') || op.path.endsWith('/extension') || op.path.endsWith('/end') || op.path.endsWith('/answer')) return 'approver';
    if (op.path.startsWith('/cases')) return 'clerk';
    return 'anonymous';
  }

  const ids: Record<string, string> = { code: 'XK-330000-00001.xh-scjg', version: '1', id: 'no-such-id', year: '2026', date: '2026-12-31', taskId: 'no-such-task', urgeId: 'no-such-urge', number: 'x' };
  const writes = operations.filter((o) => o.method === 'post' || o.method === 'put');

  async function send(op: Operation, body: unknown, raw = false) {
    const path = `/api${op.path.replace(/\{(\w+)\}/g, (_m, p: string) => (p === 'caseNo' ? caseNo : ids[p]))}`;
    const caller = callerFor(op);
    const text = raw ? (body as string) : JSON.stringify(body);
    const headers = caller === 'integrator' ? asIntegrator(key, op.method.toUpperCase(), path, text) : caller === 'anonymous' ? {} : who[caller];
    return http(stack, op.method.toUpperCase(), path, text, { authorization: '', ...headers });
  }

  function expectRefused(res: { status: number; contentType: string; body: unknown }, what: string) {
    expect(res.status, `${what}: ${JSON.stringify(res.body).slice(0, 300)}`).to.be.within(400, 499);
    expect(res.contentType, what).to.contain('application/problem+json');
    expect(JSON.stringify(res.body), what).not.to.match(/at .*\.ts:\d+|node_modules|select |insert into/i);
  }

  it('when every POST and PUT gets generated bad bodies, then each answer is a 4xx problem and nothing is stored', async () => {
    const before = await rowCounts();
    for (const op of writes) {
      const name = `${op.method.toUpperCase()} ${op.path}`;
      await fc.assert(fc.asyncProperty(badBody(op), async (body) => {
        expectRefused(await send(op, body), name);
      }), { numRuns: 15, seed: 20261122 });
      await fc.assert(fc.asyncProperty(rawBodies, async (raw) => {
        expectRefused(await send(op, raw, true), `${name} (raw)`);
      }), { numRuns: 6, seed: 20261122 });
    }
    expect(await rowCounts()).to.deep.equal(before);
  });

  it('when credentials are forged, expired or replayed, or the case is someone else\'s, then it is a 4xx and nothing is stored', async () => {
    const filing = { implementationCode: 'XK-330000-00001.xh-scjg', channel: 'online', applicant: { kind: 'person', name: '张三', idNumber: '330106199003073514' }, formData: {} };
    const expired = await asApplicant(stack, { idNumber: '330106198503122410', name: '刘建军', phone: '13588036751' });
    const stranger = await asApplicant(stack, { idNumber: '330106198802164549', name: '王桂芳', phone: '13758164392' });
    await stack.db('sessions').where({ subject: '330106198503122410' }).update({ expires_at: new Date(Date.now() - 1000) });
    const before = await rowCounts();
    await fc.assert(fc.asyncProperty(fc.string({ minLength: 1, maxLength: 120 }).filter((t) => !/[\r\n]/.test(t) && t.trim() === t), async (token) => {
      expectRefused(await http(stack, 'POST', '/api/cases', filing, { authorization: `Bearer ${encodeURIComponent(token)}` }), 'forged bearer');
    }), { numRuns: 30, seed: 7 });
    expectRefused(await http(stack, 'POST', '/api/cases', filing, expired), 'expired session');
    // Another applicant asking about 张三's case: not found, as if it did not exist.
    for (const path of [`/api/cases/${caseNo}/withdrawal`, `/api/cases/${caseNo}/correction`, `/api/cases/${caseNo}/evaluation`]) {
      const res = await http(stack, 'POST', path, { reason: '不办了', note: 'x', level: 1 }, stranger);
      expectRefused(res, `stranger at ${path}`);
      expect(res.status).to.equal(404);
    }
    // An integrator's request: a bad signature, a stale timestamp, a replayed nonce.
    const path = '/api/cases';
    const good = asIntegrator(key, 'POST', path, JSON.stringify({ ...filing, extra: 1 }));
    expectRefused(await http(stack, 'POST', path, JSON.stringify(filing), good), 'body changed after signing');
    const stale = { ...asIntegrator(key, 'POST', path, JSON.stringify(filing)), 'x-ow-timestamp': String(Date.now() - 10 * 60_000) };
    expectRefused(await http(stack, 'POST', path, JSON.stringify(filing), stale), 'stale timestamp');
    const once = asIntegrator(key, 'GET', '/api/cases', undefined);
    expect((await http(stack, 'GET', '/api/cases', undefined, once)).status).to.equal(200);
    expectRefused(await http(stack, 'GET', '/api/cases', undefined, once), 'replayed nonce');
    expect(await rowCounts()).to.deep.equal(before);
  });
});
