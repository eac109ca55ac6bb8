/**
 * The contract test: every operation of the OpenAPI document is called through the live server
 * (the real stack: database, Temporal, simulators) with its documented examples and with
 * requests generated from its request schemas (valid ones and broken ones), as each kind of
 * caller; every answer must carry a status the operation documents and a body its schema for
 * that status accepts (problem+json for errors). No operation may answer with a bare object
 * schema, and the Internet zone's document lists only the operations served there.
 */
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { expect } from 'chai';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NewApiKey } from './auth/api-keys';
import { signCallback, type CallbackEvent } from '../adapters/callbacks';
import { readFormFolder } from '../lib/forms';
import { samplePng } from '../test/sample-files';
import { testStaffPassword } from '../test/context';
import { asApplicant, asClerkFor, asIntegrator, asStaff, eventually, http, newApiKey, platformSecret, secretKey, startStack, type HttpResult, type Stack } from '../test/harness';
import { createApp } from './app';
import { RateLimiter } from './auth/rate-limit';
import { bodyExamples, documentSchemas, openApiDocument, operations, responseNameOf, statusesOf, type Operation } from './openapi';
import { responseSchemas } from './response-schemas';
import { requestSchemas } from './validate';
import { driveSuccesses } from '../test/contract-successes';

type Schema = Record<string, unknown>;
interface Caller {
  name: string;
  headers: (method: string, path: string, body?: unknown) => Record<string, string>;
  /** Signs the body itself (platform callbacks send a canonical text). */
  sign?: (path: string, body: unknown) => { body: unknown; headers: Record<string, string> };
}

const implementationCode = 'XK-330000-00001.xh-scjg';
const formKey = 'individual-business-registration';
const applicantPerson = { idNumber: '330102198802164527', name: '黄丽娟', phone: '13588036752' };

/** Values that match the patterns the request schemas use, to generate valid strings. */
const patternSamples: Record<string, string> = {
  '^[0-9]{17}[0-9X]$': '330106199003073514',
  '^[0-9A-Z]{18}$': '330106199003073514',
  '^1[3-9][0-9]{9}$': '13800138000',
  '^[0-9]{6}$': '123456',
  '^\\d{4}-\\d{2}-\\d{2}$': '2099-10-01',
  '^https?://': 'https://example.org/hook',
  '^(\\*|case\\.[a-z-]+)$': 'case.filed',
  '^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})$': '0571-87654321',
  '^[A-Za-z0-9_-]+$': 'bm90LWEtY3Vyc29y',
  '^[A-Za-z0-9._-]{1,64}$': 'warning',
  '^[0-9]{22}$': '2026091833010000000001',
  '^mat_[A-Za-z0-9_-]{1,36}$': 'mat_example',
  '^[a-z][a-z0-9-]{0,39}$': 'application-form',
  '^[0-9A-Za-z-]+$': 'XH-GAJ-330106199003073514',
  '^\\d{4}-(0[1-9]|1[0-2])$': '2026-09',
  '^[A-Z]$': 'A',
  '^[0-9]{8}$': '12345678',
};

/** A valid instance of a schema: `full` fills every optional property too. */
function generate(schema: Schema, full: boolean): unknown {
  if (schema.const !== undefined) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[full ? schema.enum.length - 1 : 0];
  if (Array.isArray(schema.oneOf)) return generate(schema.oneOf[0] as Schema, full);
  switch (schema.type) {
    case 'object': {
      const props = (schema.properties ?? {}) as Record<string, Schema>;
      const required = (schema.required ?? []) as string[];
      return Object.fromEntries(Object.entries(props).filter(([k]) => full || required.includes(k)).map(([k, v]) => [k, generate(v, full)]));
    }
    case 'array': {
      const n = Math.max(Number(schema.minItems ?? 0), full ? 1 : 0);
      return Array.from({ length: n }, () => generate(schema.items as Schema, full));
    }
    case 'integer':
    case 'number':
      return Number(schema.minimum ?? 1);
    case 'boolean':
      return true;
    case 'string': {
      if (schema.format === 'date-time') return '2099-01-01T00:00:00+08:00';
      if (typeof schema.pattern === 'string') {
        const sample = patternSamples[schema.pattern];
        if (!sample) throw new Error(`no sample for the pattern ${schema.pattern}`);
        return sample;
      }
      if (schema.format === 'date-time') return '2099-01-01T00:00:00+08:00';
      if (schema.format === 'uri') return 'https://example.org/x';
      const min = Number(schema.minLength ?? 1);
      return '测'.repeat(Math.max(min, full ? Math.min(Number(schema.maxLength ?? 8), 8) : 1));
    }
    default:
      return {};
  }
}

/** A value of the wrong JSON type for a schema. */
function wrongType(schema: Schema): unknown {
  if (schema.type === 'string' || schema.enum || schema.const !== undefined) return 12345;
  if (schema.type === 'object') return '不是对象';
  return { wrong: true };
}

/** Broken bodies: each required field missing, each field of the wrong type, an unknown field, too long a text, not an object. */
function brokenBodies(schema: Schema, valid: Record<string, unknown>): unknown[] {
  const props = (schema.properties ?? {}) as Record<string, Schema>;
  const out: unknown[] = [[], 'not json {', { ...valid, zzUnknownField: 1 }];
  for (const k of (schema.required ?? []) as string[]) {
    const copy = { ...valid };
    delete copy[k];
    out.push(copy);
  }
  for (const [k, v] of Object.entries(props)) {
    out.push({ ...valid, [k]: wrongType(v) });
    if (v.type === 'string' && typeof v.maxLength === 'number') out.push({ ...valid, [k]: 'x'.repeat(v.maxLength + 1) });
  }
  return out;
}

/** Broken query strings: an unknown parameter, each parameter outside its schema. */
function brokenQueries(op: Operation, valid: Record<string, string>): Record<string, string>[] {
  const out: Record<string, string>[] = [{ ...valid, colour: 'red' }];
  for (const q of op.query ?? []) {
    const s = q.schema;
    const bad = s.type === 'integer' ? '1.5' : Array.isArray(s.enum) ? 'no-such-value' : s.format === 'date-time' ? 'yesterday' : 'x'.repeat(Number(s.maxLength ?? 200) + 1);
    out.push({ ...valid, [q.name]: bad });
  }
  return out;
}

const qs = (q: Record<string, string>) => {
  const s = new URLSearchParams(q).toString();
  return s ? `?${s}` : '';
};

describe('the contract, through the live server', function () {
  this.timeout(600_000);
  let stack: Stack;
  let key: NewApiKey;
  const callers: Record<string, Caller> = {};
  const fixtures: Record<string, string> = {};
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const doc = openApiDocument() as { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: Schema }>; headers?: Record<string, unknown> }> }>>; components: { schemas: Record<string, Schema> } };
  ajv.addSchema(doc, 'openapi');
  const validators = new Map<string, ValidateFunction>();
  const validatorOf = (ref: string) => {
    let v = validators.get(ref);
    if (!v) {
      v = ajv.getSchema(`openapi${ref}`);
      if (!v) throw new Error(`no schema at ${ref}`);
      validators.set(ref, v);
    }
    return v;
  };

  /** Seen per operation: statuses answered, and whether a success was checked. */
  const seen = new Map<Operation, Set<number>>();
  const problems: string[] = [];
  let requests = 0;

  /** Checks one answer against the operation's documented statuses and the schema for that status. */
  function check(op: Operation, what: string, res: HttpResult) {
    requests++;
    const label = `${op.method.toUpperCase()} ${op.path} (${what}) → ${res.status}`;
    (seen.get(op) ?? seen.set(op, new Set()).get(op)!).add(res.status);
    if (!statusesOf(op).includes(res.status)) {
      problems.push(`${label}: status not documented (${statusesOf(op).join(', ')}): ${JSON.stringify(res.body).slice(0, 300)}`);
      return;
    }
    const documented = doc.paths[op.path][op.method].responses[String(res.status)];
    // Every answer names its request, as the document says of every response.
    if (documented.headers?.['X-Request-Id'] && !/^[\x21-\x7e]{1,128}$/.test(res.headers['x-request-id'] ?? '')) problems.push(`${label}: no X-Request-Id header`);
    const media = res.contentType.split(';')[0].trim();
    if (!documented.content) {
      if (res.body !== undefined && res.body !== '') problems.push(`${label}: documented without a body, but one came`);
      return;
    }
    const entry = documented.content[media];
    if (!entry) {
      problems.push(`${label}: content type ${media} not documented (${Object.keys(documented.content).join(', ')})`);
      return;
    }
    if (!media.includes('json')) return;
    const validate = validatorOf(String(entry.schema.$ref).replace(/^#/, '#'));
    if (!validate(res.body)) problems.push(`${label}: body does not match ${String(entry.schema.$ref)}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(res.body).slice(0, 300)}`);
  }

  /** Sends one request as a caller; bodies given as strings go unparsed. */
  async function send(op: Operation, caller: Caller, path: string, query: Record<string, string>, body: unknown, what: string, on: Stack = stack) {
    const url = `/api${path}${qs(query)}`;
    const signed = caller.sign?.(url, body) ?? { body, headers: caller.headers(op.method.toUpperCase(), url, body) };
    const res = await http(on, op.method.toUpperCase(), url, signed.body, { authorization: '', ...signed.headers });
    check(op, `${what} as ${caller.name}`, res);
    return res;
  }

  /** The path with each parameter from `values` (or its documented example). */
  function fill(op: Operation, values: Record<string, string>): string {
    const params = (doc.paths[op.path][op.method] as unknown as { parameters?: { name: string; in: string; example?: unknown }[] }).parameters ?? [];
    return op.path.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(values[name] ?? String(params.find((p) => p.in === 'path' && p.name === name)?.example)));
  }

  function exampleQuery(op: Operation): Record<string, string> {
    return Object.fromEntries((op.query ?? []).filter((q) => q.required).map((q) => [q.name, q.example ?? '']));
  }

  function requestSchemaOf(op: Operation): Schema | undefined {
    const body = (doc.paths[op.path][op.method] as unknown as { requestBody?: { content: Record<string, { schema: { $ref: string } }> } }).requestBody;
    if (!body) return undefined;
    const name = body.content['application/json'].schema.$ref.split('/').pop()!;
    const schema = requestSchemas.get(name) ?? documentSchemas[name];
    if (!schema) throw new Error(`no request schema ${name}`);
    return schema;
  }

  /** Who calls an operation: anyone for open ones, else each kind of caller it names (staff chosen by the access it needs). */
  function callersOf(op: Operation): Caller[] {
    if (op.path === '/auth/logout') return []; // a session of its own, below
    const staff = op.path.startsWith('/supervision') || /urges$|orders$/.test(op.path) ? ['supervisor']
      : op.path.startsWith('/admin') || op.path.startsWith('/audit') ? ['admin']
        : /^\/(catalogue|changes|reviews|calendar)/.test(op.path) || (op.path.startsWith('/implementations') && op.method !== 'get') ? ['catalogueAdmin', 'reviewer']
          : op.path.startsWith('/tasks') || /extension|special-procedure|answer$/.test(op.path) ? ['approver', 'clerk']
            : ['clerk', 'supervisor'];
    const out = [callers.anonymous];
    if (op.security.includes('staff')) out.push(...staff.map((s) => callers[s]));
    if (op.security.includes('applicant')) out.push(callers.applicant);
    if (op.security.includes('apiKey')) out.push(callers.integrator);
    if (op.security.includes('platform')) out.push(callers.platform);
    return out;
  }

  before(async () => {
    stack = await startStack();
    const bearer = (h: Record<string, string>) => () => h;
    callers.anonymous = { name: 'anonymous', headers: () => ({}) };
    for (const [name, id] of Object.entries({ supervisor: 'supervisor-zhao', admin: 'ops-jiang', catalogueAdmin: 'admin-qian', reviewer: 'bianban-wu', approver: 'approver-li' })) {
      callers[name] = { name, headers: bearer(await asStaff(stack, id)) };
    }
    const clerk = await asClerkFor(stack, implementationCode);
    callers.clerk = { name: 'clerk', headers: bearer(clerk) };
    callers.applicant = { name: 'applicant', headers: bearer(await asApplicant(stack, applicantPerson)) };
    key = await newApiKey(stack, ['cases:file', 'cases:read', 'webhooks'], 100_000);
    callers.integrator = { name: 'integrator', headers: (method, path, body) => asIntegrator(key, method, path, body) };
    // A platform callback signed with the platform secret (the simulators' scheme).
    callers.platform = {
      name: 'platform',
      headers: () => ({}),
      sign: (path, body) => {
        if (typeof body !== 'object' || body === null || Array.isArray(body)) return { body, headers: {} };
        const sender = path.split('/')[3].split('?')[0];
        const signed = signCallback(platformSecret, { url: `http://api.invalid${path}`, sender, event: body as CallbackEvent });
        return { body: signed.body, headers: signed.headers };
      },
    };

    // Real resources to name in paths: a case with an open task, a webhook, a version, a certificate-less holder.
    const filed = await http(stack, 'POST', '/api/cases', { implementationCode, channel: 'window', applicant: { kind: 'person', ...applicantPerson }, formData: readFormFolder({ key: formKey, version: 1 }).example }, clerk);
    expect(filed.status, JSON.stringify(filed.body)).to.equal(201);
    fixtures.caseNo = filed.body.caseNo;
    const task = await eventually(() => stack.db('tasks').where({ case_no: fixtures.caseNo, status: 'open' }).first<{ id: string } | undefined>('id'), 'the case\'s first task');
    fixtures.taskId = task.id;
    fixtures.code = implementationCode;
    fixtures.version = '1';
    fixtures.year = '2026';
    const hook = await http(stack, 'POST', '/api/integrations/webhooks', { url: 'https://example.org/h', events: ['case.filed'] }, asIntegrator(key, 'POST', '/api/integrations/webhooks', { url: 'https://example.org/h', events: ['case.filed'] }));
    fixtures.id = hook.body.id;
  });

  after(async () => {
    await stack?.stop();
  });

  it('when the document is read, then every answer with a body has a schema of its own (no bare object), and every operation lists its statuses', () => {
    const bare: string[] = [];
    for (const op of operations) {
      const name = responseNameOf(op);
      if (op.ok[0] === 204) {
        expect(name, `${op.method} ${op.path} answers 204 but names a schema`).to.equal(undefined);
        continue;
      }
      const schema = name ? responseSchemas[name] : undefined;
      const describes = (x: Schema | undefined) => !!x && (x.properties !== undefined || x.oneOf !== undefined || x.allOf !== undefined || x.const !== undefined || (x.type !== 'object' && x.type !== undefined));
      if (!describes(schema)) bare.push(`${op.method.toUpperCase()} ${op.path}`);
      const responses = doc.paths[op.path][op.method].responses;
      expect(Object.keys(responses).map(Number), `${op.method} ${op.path}`).to.deep.equal(statusesOf(op));
      for (const status of [400, 401, 403, 404, 429, 503]) expect(responses, `${op.method} ${op.path} ${status}`).to.have.property(String(status));
    }
    expect(bare, 'operations whose answer is a bare object').to.deep.equal([]);
    expect(operations.length).to.be.greaterThan(70);
  });

  it('when every operation is called with its examples and generated requests as each kind of caller, then every answer is documented and matches its schema', async () => {
    // Run the operations that end things (withdrawal, deletion, revocation) last, so the others meet a live case.
    const ending = (op: Operation) => /withdrawal|revoke|\/auth\/password/.test(op.path) || op.method === 'delete';
    const ordered = [...operations.filter((o) => !ending(o)), ...operations.filter(ending)];
    for (const op of ordered) {
      const schema = requestSchemaOf(op);
      const example = op.body ? bodyExamples[op.body] : schema ? generate(schema, true) : undefined;
      const bodies = schema
        ? { valid: [example, generate(schema, false), generate(schema, true)], broken: brokenBodies(schema, (example ?? {}) as Record<string, unknown>) }
        : { valid: [undefined], broken: op.method === 'get' || op.method === 'delete' ? [] : [{ unexpected: 1 }] };
      const queries = { valid: [exampleQuery(op), Object.fromEntries((op.query ?? []).map((q) => [q.name, q.example ?? String(generate(q.schema, true))]))], broken: brokenQueries(op, exampleQuery(op)) };
      for (const caller of callersOf(op)) {
        for (const path of [fill(op, {}), fill(op, fixtures)]) {
          for (const body of bodies.valid) await send(op, caller, path, queries.valid[0], body, 'example/valid body');
          await send(op, caller, path, queries.valid[1], bodies.valid[0], 'every query parameter');
        }
        const real = fill(op, fixtures);
        for (const body of bodies.broken) await send(op, caller, real, queries.valid[0], body, `broken body ${JSON.stringify(body).slice(0, 60)}`);
        for (const q of queries.broken) await send(op, caller, real, q, bodies.valid[0], `broken query ${JSON.stringify(q).slice(0, 60)}`);
        if (op.path.includes('{caseNo}')) await send(op, caller, fill(op, { ...fixtures, caseNo: '12345' }), queries.valid[0], bodies.valid[0], 'malformed case number');
        if (op.method === 'post') {
          const res = await http(stack, 'POST', `/api${real}`, bodies.valid[0] ?? {}, { authorization: '', ...caller.headers('POST', `/api${real}`, bodies.valid[0] ?? {}), 'idempotency-key': 'bad key with spaces' });
          check(op, `a malformed Idempotency-Key as ${caller.name}`, res);
        }
      }
    }
    // Requests a generator cannot make up (real form data, a real file, the task's own role), so these answer a success too.
    const opOf = (method: string, path: string) => operations.find((o) => o.method === method && o.path === path)!;
    const clerk = callers.clerk;
    const form = readFormFolder({ key: formKey, version: 1 }).example;
    const filed = await send(opOf('post', '/cases'), clerk, '/cases', {}, { implementationCode, channel: 'window', applicant: { kind: 'person', ...applicantPerson }, formData: form }, 'a real filing');
    expect(filed.status).to.equal(201);
    const caseNo = filed.body.caseNo as string;
    await eventually(() => stack.db('cases').where({ case_no: caseNo }).first('case_no'), 'the new case in the read model');
    const uploaded = await send(opOf('post', '/cases/{caseNo}/materials'), clerk, `/cases/${caseNo}/materials`, {}, { materialName: '身份证明', fileName: 'id.png', contentType: 'image/png', dataBase64: samplePng().toString('base64') }, 'a real file');
    expect(uploaded.status).to.equal(201);
    expect((await send(opOf('get', '/cases/{caseNo}/materials/{id}'), clerk, `/cases/${caseNo}/materials/${uploaded.body.id as string}`, {}, undefined, 'its download')).status).to.equal(200);
    const open = await eventually(() => stack.db('tasks').where({ case_no: caseNo, status: 'open' }).first<{ id: string } | undefined>('id'), 'the new case\'s task');
    expect((await send(opOf('post', '/tasks/{taskId}/claim'), clerk, `/tasks/${open.id}/claim`, {}, undefined, 'its own task')).status).to.equal(200);
    expect((await send(opOf('post', '/tasks/{taskId}/release'), clerk, `/tasks/${open.id}/release`, {}, undefined, 'its own task')).status).to.equal(200);
    expect((await send(opOf('post', '/auth/login'), callers.anonymous, '/auth/login', {}, { username: 'head-xu', password: testStaffPassword }, 'the right password')).status).to.equal(200);

    // Sign-out, with sessions of its own (it ends the caller's session).
    const logout = operations.find((o) => o.path === '/auth/logout')!;
    await send(logout, callers.anonymous, '/auth/logout', {}, undefined, 'anonymous');
    await send(logout, { name: 'a fresh staff session', headers: () => ({}) }, '/auth/logout', {}, undefined, 'no token');
    const fresh = await http(stack, 'POST', '/api/auth/login', { username: 'head-zhou', password: testStaffPassword });
    await send(logout, { name: 'staff', headers: () => ({ authorization: `Bearer ${fresh.body.token}` }) }, '/auth/logout', {}, undefined, 'its own session');
    await send(logout, { name: 'staff', headers: () => ({ authorization: `Bearer ${fresh.body.token}` }) }, '/auth/logout', {}, undefined, 'an ended session');

    expect(problems, `${problems.length} of ${requests} answers break the contract`).to.deep.equal([]);
    expect(requests).to.be.greaterThan(2000);
  });

  it('when each operation is sent a request made from real things (a case in the right state, a real order, a change under review), then every operation has answered a success that matches its schema', async () => {
    await driveSuccesses({ stack, callers, send, applicant: applicantPerson });
    if (problems.length) console.log(problems.map((p) => `      ${p}`).join('\n'));
    expect(problems, `${problems.length} of ${requests} answers break the contract`).to.deep.equal([]);
    const unseen = operations.filter((o) => !seen.has(o)).map((o) => `${o.method} ${o.path}`);
    expect(unseen).to.deep.equal([]);
    const neverSucceeded = operations.filter((o) => ![...seen.get(o)!].some((st) => st < 300)).map((o) => `${o.method.toUpperCase()} ${o.path}`);
    expect(neverSucceeded, 'operations that never answered a success').to.deep.equal([]);
  });

  it('when the Internet zone is asked for its document, then it lists exactly the public operations, and each of them answers there', async () => {
    const server: Server = createApp({ db: stack.db, client: stack.client, taskQueue: stack.taskQueue, platformSecret, secretKey, zone: 'public', limiter: new RateLimiter() }).listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const res = await fetch(`${base}/api/openapi.json`);
      const publicDoc = (await res.json()) as { paths: Record<string, Record<string, { 'x-zone': string }>>; components: { schemas: Record<string, unknown> } };
      const listed = Object.entries(publicDoc.paths).flatMap(([p, ops]) => Object.entries(ops).map(([m, o]) => ({ key: `${m.toUpperCase()} ${p}`, zone: o['x-zone'] })));
      const expected = operations.filter((o) => o.zone === 'public').map((o) => `${o.method.toUpperCase()} ${o.path}`).sort();
      expect(listed.map((l) => l.key).sort()).to.deep.equal(expected);
      expect(listed.filter((l) => l.zone !== 'public')).to.deep.equal([]);
      expect(publicDoc.components.schemas).to.not.have.property('ApiKeyRequest');
      expect(publicDoc.components.schemas).to.not.have.property('AuditChainCheck');
      expect(publicDoc.components.schemas).to.have.property('FiledCase');
      // And the full document on the extranet still lists every operation.
      const full = (await http(stack, 'GET', '/api/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
      expect(Object.values(full.paths).reduce((n, ops) => n + Object.keys(ops).length, 0)).to.equal(operations.length);
      // An internal operation is not there; a public one is.
      expect((await fetch(`${base}/api/audit/verify`)).status).to.equal(404);
      expect((await fetch(`${base}/api/implementations`)).status).to.equal(200);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('when an answer breaks its schema, then the check reports it (so a clean run means something)', () => {
    const before = problems.length;
    const op = operations.find((o) => o.method === 'get' && o.path === '/implementations')!;
    const named = { 'x-request-id': 'forged-1' };
    check(op, 'forged', { status: 200, headers: named, contentType: 'application/json', body: { items: [{ code: 'x' }] } });
    check(op, 'forged', { status: 418, headers: named, contentType: 'application/json', body: {} });
    check(op, 'forged', { status: 400, headers: named, contentType: 'text/html', body: '<p>' });
    expect(problems.length - before).to.equal(3);
    // A problem answer that is right in every way but names no request.
    check(op, 'forged', { status: 400, headers: {}, contentType: 'application/problem+json', body: { type: 'about:blank', title: 'Bad Request', status: 400 } });
    expect(problems.slice(before + 3)).to.deep.equal(['GET /implementations (forged) → 400: no X-Request-Id header']);
    problems.length = before;
  });
});
