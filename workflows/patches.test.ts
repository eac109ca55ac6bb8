/** The patch registry and the README's table of patches say the same. */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { Patches, PatchRegistry } from './patches';

describe('the patch registry', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
  const rows = [...readme.matchAll(/^\| `([a-z0-9-]+)` \| (\d{4}-\d{2}-\d{2}) \| (patched|deprecated) \| `(.+)` \|$/gm)].map((m) => ({ id: m[1], since: m[2], stage: m[3], query: m[4] }));

  it("when the README's table of patches is read, then it lists every registered patch with its date, stage and removal query, and nothing else", () => {
    expect(rows.map((r) => r.id)).to.deep.equal(PatchRegistry.map((p) => p.id));
    for (const p of PatchRegistry) {
      const row = rows.find((r) => r.id === p.id)!;
      expect({ since: row.since, stage: row.stage }, p.id).to.deep.equal({ since: p.since, stage: p.stage });
      expect(p.removableWhen, p.id).to.include(row.query);
    }
  });

  it('when the code names a patch, then it is registered, and every id is unique', () => {
    const ids = PatchRegistry.map((p) => p.id);
    expect(new Set(ids).size).to.equal(ids.length);
    for (const id of Object.values(Patches)) expect(ids).to.include(id);
    // Every patched() call in the workflows names a registered patch through Patches, never a bare string.
    const sources = ['case-workflow.ts', 'legacy/case-workflow-2026-11-29.ts'].map((f) => fs.readFileSync(path.join(__dirname, f), 'utf8'));
    for (const src of sources) expect(src).to.not.match(/patched\('/);
  });
});
