/** `npm run migrate`: apply pending migrations and load the sample catalogue. */
import { seedSampleCatalogue } from '../db/seed';
import { loadConfig } from '../lib/config';
import { migrate } from '../lib/db';
import { openDb, runMain } from '../lib/runtime';

runMain('migrate', async () => {
  const config = loadConfig();
  const db = await openDb(config);
  const applied = await migrate(db);
  await seedSampleCatalogue(db, { staffPassword: config.demoStaffPassword });
  console.log(applied.length ? `migrate: applied ${applied.join(', ')}` : 'migrate: schema up to date');
  await db.destroy();
});
