/**
 * The OpenAPI document is the contract: it lints clean with Redocly's strict ruleset, it lists
 * exactly the routes the API serves, and its request bodies are the schemas the routes validate.
 */
import { expect } from 'chai';
import type { Router } from 'express';
import { apiRouter } from './app';
import { openApiDocument, operations } from './openapi';
import { requestSchemas } from './validate';
import { http, sharedStack, type Stack } from '../test/harness';

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
}

/** Every METHOD /path the router serves, with Express's :params as OpenAPI's {params}. */
function servedRoutes(router: Router): Set<string> {
  const out = new Set<string>();
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const p of paths) {
          for (const [m, on] of Object.entries(layer.route.methods)) if (on && m !== '_all') out.add(`${m.toUpperCase()} ${p.replace(/:(\w+)/g, '{$1}')}`);
        }
      } else if (layer.handle.stack) walk(layer.handle.stack);
    }
  };
  walk((router as unknown as { stack: Layer[] }).stack);
  return out;
}

/** Redocly's linter is an ES module; loaded on demand from this CommonJS test. */
async function lint(document: unknown) {
  const { createConfig, lintFromString } = await import('@redocly/openapi-core');
  const config = await createConfig({ extends: ['recommended-strict'] });
  return lintFromString({ source: JSON.stringify(document), absoluteRef: 'openapi.json', config });
}

describe('the OpenAPI document', () => {
  // The router is built without live dependencies: only its shape is read here.
  const router = apiRouter({ db: {} as never, client: {} as never, taskQueue: 'unused', platformSecret: 'unused', secretKey: 'unused' });
  const doc = openApiDocument() as { paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { $ref?: string } }> } }>>; components: { schemas: Record<string, unknown> } };

  it('when linted with Redocly\'s recommended-strict rules, then it has no problems', async () => {
    const problems = await lint(doc);
    expect(problems.map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? ''}`)).to.deep.equal([]);
  });

  it('when a broken copy is linted, then the linter reports it (so a clean result means something)', async () => {
    const broken = structuredClone(doc) as unknown as { paths: Record<string, Record<string, { operationId: string }>> };
    broken.paths['/cases'].post.operationId = broken.paths['/tasks'].get.operationId;
    const problems = await lint(broken);
    expect(problems.map((p) => p.ruleId)).to.include('operation-operationId-unique');
  });

  it('when compared with the routes the API serves, then each is in the document and each documented operation is served', () => {
    const served = servedRoutes(router);
    const documented = new Set(Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)));
    expect([...served].filter((r) => !documented.has(r)), 'served but not documented').to.deep.equal([]);
    expect([...documented].filter((r) => !served.has(r)), 'documented but not served').to.deep.equal([]);
  });

  it('when an operation names a request body, then it is the very schema its route validates with', () => {
    for (const op of operations.filter((o) => o.body)) {
      const ref = doc.paths[op.path][op.method].requestBody?.content['application/json'].schema.$ref;
      expect(ref, `${op.method} ${op.path}`).to.equal(`#/components/schemas/${op.body}`);
      expect(doc.components.schemas[op.body!], op.body).to.equal(requestSchemas.get(op.body!));
    }
    const used = new Set(operations.map((o) => o.body).filter(Boolean));
    expect([...requestSchemas.keys()].filter((k) => !used.has(k)), 'validators no operation uses').to.deep.equal([]);
  });

  describe('served over HTTP', () => {
    let stack: Stack;
    before(async () => {
      stack = await sharedStack();
    });
    after(async () => {
      await stack?.stop();
    });

    it('when the document and the docs page are fetched, then both answer without signing in', async () => {
      const served = await http(stack, 'GET', '/api/openapi.json');
      expect(served.status).to.equal(200);
      expect(served.body.openapi).to.equal('3.1.0');
      const page = await fetch(`${stack.baseUrl}/api/docs/`);
      expect(page.status).to.equal(200);
      expect(await page.text()).to.contain('swagger-ui');
      const bundle = await fetch(`${stack.baseUrl}/api/docs/assets/swagger-ui-bundle.js`);
      expect(bundle.status).to.equal(200);
    });

    it('when a query has an unknown parameter or a value outside its schema, then it is a 400 with the field path', async () => {
      const unknown = await http(stack, 'GET', '/api/implementations?colour=red');
      expect(unknown.status).to.equal(400);
      expect(unknown.body.errors[0].pointer).to.equal('/query/colour');
      const outside = await http(stack, 'GET', '/api/implementations?limit=100000');
      expect(outside.status).to.equal(400);
      expect(outside.body.errors[0].pointer).to.equal('/query/limit');
      const twice = await http(stack, 'GET', '/api/implementations?q=a&q=b');
      expect(twice.status).to.equal(400);
    });
  });
});
