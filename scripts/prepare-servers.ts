/** `npm run prepare-servers`: build / fetch the Temporal CLI and the Java test server now. */
import { loadConfig } from '../lib/config';
import { runMain } from '../lib/runtime';
import { ensureTemporalCli, ensureTestServer } from '../lib/servers';

runMain('prepare-servers', async () => {
  const config = loadConfig();
  console.log(`temporal CLI: ${await ensureTemporalCli(config.cacheDir, config.temporalCliVersion, config.temporalCliPath)}`);
  console.log(`test server:  ${await ensureTestServer(config.cacheDir, config.testServerVersion)}`);
});
