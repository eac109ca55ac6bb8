/**
 * Writes web/src/api-types.ts: the web app's types of the API's answers, generated from the
 * response schemas of the OpenAPI document (api/response-schemas.ts). Run after changing a
 * schema: `npx tsx scripts/api-types.ts`; a test fails while the file is out of date.
 */
import fs from 'node:fs';
import path from 'node:path';
import { responseSchemas } from '../api/response-schemas';
import { typesModule } from '../lib/schema-to-ts';

export const apiTypesFile = path.resolve(__dirname, '..', 'web', 'src', 'api-types.ts');

const header = `/**
 * The API's answers as TypeScript types. GENERATED from api/response-schemas.ts by
 * scripts/api-types.ts: do not edit; change the schema and run \`npx tsx scripts/api-types.ts\`.
 */
`;

/** The file's text as the schemas say it should be. */
export function apiTypesText(): string {
  return typesModule(responseSchemas, header);
}

if (require.main === module) {
  fs.writeFileSync(apiTypesFile, apiTypesText());
  console.log(`wrote ${path.relative(process.cwd(), apiTypesFile)}`);
}
