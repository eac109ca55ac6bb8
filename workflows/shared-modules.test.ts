/**
 * The workflow modules are preloaded: evaluated once per worker and shared, deep-frozen, by every
 * case it runs (worker/worker.ts, workflowBundleOptions). That is only safe while none of them
 * keeps state at module scope, since such state would then pass from one case to the next. This
 * test reads every project module the bundle preloads and refuses module-scope `let` or `var`,
 * and module-scope collections that can be changed (`new Map`, `new Set`, arrays) unless their
 * type says they are read-only.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { workflowBundle } from '../test/harness';
import { workflowBundleOptions } from '../worker/worker';

const root = path.join(__dirname, '..');

/** The project's own modules in the bundle (the SDK's are its own business), by bundle id. */
function projectModules(code: string): string[] {
  return [...code.matchAll(/^\/\*\*\*\/ "\.\/([^"]+)"/gm)].map((m) => m[1]).filter((id) => !id.startsWith('node_modules/'));
}

/** What at the top of one module can hold state that changes. */
export function moduleStateIn(fileName: string, source: string): string[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const found: string[] = [];
  const where = (n: ts.Node) => `${fileName}:${file.getLineAndCharacterOfPosition(n.getStart(file)).line + 1}`;
  for (const statement of file.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    const list = statement.declarationList;
    if (!(list.flags & ts.NodeFlags.Const)) {
      found.push(`${where(statement)} declares a module-scope let or var`);
      continue;
    }
    for (const d of list.declarations) {
      const init = d.initializer;
      if (!init) continue;
      const readOnlyType = d.type !== undefined && /^(Readonly|ReadonlyArray|ReadonlySet|ReadonlyMap)\b|^readonly /.test(d.type.getText(file));
      const mutableCollection = (ts.isNewExpression(init) && /^(Map|Set|WeakMap|WeakSet|Array)$/.test(init.expression.getText(file)))
        || (ts.isArrayLiteralExpression(init) && !isAsConst(init));
      if (mutableCollection && !readOnlyType) found.push(`${where(d)} holds a collection at module scope that can be changed (${d.name.getText(file)})`);
    }
  }
  return found;
}

function isAsConst(n: ts.Node): boolean {
  const p = n.parent;
  return p !== undefined && ts.isAsExpression(p) && p.type.getText() === 'const';
}

describe('the workflow modules every case shares', () => {
  it('when the worker bundles the workflows, then it preloads them, and none of the project modules preloaded keeps state at module scope', async () => {
    expect(workflowBundleOptions().preloadModules).to.deep.equal([workflowBundleOptions().workflowsPath]);
    const { code } = await workflowBundle();
    const modules = projectModules(code);
    // The interceptors are loaded per run, not preloaded: leave them out.
    const preloaded = modules.filter((id) => !id.startsWith('workflows/interceptors/'));
    expect(preloaded).to.include.members(['workflows/index.ts', 'workflows/case/run-case.ts', 'lib/calendar/working-days.ts']);
    const problems = preloaded.flatMap((id) => moduleStateIn(id, fs.readFileSync(path.join(root, id), 'utf8')));
    expect(problems).to.deep.equal([]);
  });

  it('when a module keeps a counter, a cache or a list at module scope, then the check names it; constants and read-only collections pass', () => {
    const found = moduleStateIn('x.ts', [
      'let count = 0;',
      'var seen;',
      'const cache = new Map<string, number>();',
      'const order: string[] = [];',
      'const frozen: ReadonlySet<string> = new Set(["a"]);',
      'const names = ["a", "b"] as const;',
      'const limits = Object.freeze({ max: 1 });',
      'export const DEFAULT = { warnDaysLeft: 1 };',
      'function f() { let inside = 1; return inside; }',
    ].join('\n'));
    expect(found).to.deep.equal([
      'x.ts:1 declares a module-scope let or var',
      'x.ts:2 declares a module-scope let or var',
      'x.ts:3 holds a collection at module scope that can be changed (cache)',
      'x.ts:4 holds a collection at module scope that can be changed (order)',
    ]);
  });
});
