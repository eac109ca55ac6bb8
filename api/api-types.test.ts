/**
 * The web app's answer types are generated from the response schemas (scripts/api-types.ts);
 * this fails while web/src/api-types.ts is not what the schemas say, so the app and the contract
 * cannot drift (web/src/types.ts names the generated types, and `tsc -p web` checks every use).
 */
import { expect } from 'chai';
import fs from 'node:fs';
import { schemaToTs } from '../lib/schema-to-ts';
import { apiTypesFile, apiTypesText } from '../scripts/api-types';
import { responseSchemas } from './response-schemas';

describe('the web app\'s API types', () => {
  it('when generated from the response schemas, then they are the checked-in web/src/api-types.ts (run `npx tsx scripts/api-types.ts` after a schema change)', () => {
    expect(fs.readFileSync(apiTypesFile, 'utf8')).to.equal(apiTypesText());
  });

  it('when the web app names an answer type, then it is the generated one', () => {
    const types = fs.readFileSync(apiTypesFile.replace('api-types.ts', 'types.ts'), 'utf8');
    for (const name of ['CaseView', 'LiveView', 'Guide', 'ImplementationSummary', 'Department', 'TaskRow']) {
      expect(types, name).to.match(new RegExp(`= Api\\.${name};`));
      expect(responseSchemas).to.have.property(name);
    }
  });

  it('when a schema says a field, its type, whether it is required or nullable, then the type says the same', () => {
    expect(schemaToTs({ type: 'object', additionalProperties: false, required: ['a'], properties: { a: { type: ['string', 'null'] }, b: { enum: ['x', 'y'] }, c: { type: 'array', items: { $ref: '#/components/schemas/Urge' } } } }))
      .to.equal('{\n  a: string | null;\n  b?: "x" | "y";\n  c?: Urge[];\n}');
    expect(schemaToTs({ oneOf: [{ type: 'null' }, { type: 'object', additionalProperties: true, required: [], properties: {} }] })).to.equal('null | {\n  [key: string]: unknown;\n}');
    expect(schemaToTs({ type: 'object', additionalProperties: { enum: ['normal'] } })).to.equal('{\n  [key: string]: "normal";\n}');
  });
});
