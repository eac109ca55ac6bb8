/**
 * The platform simulators in a process of their own, so the benchmark can measure them apart:
 * `node --import tsx bench/sims-process.ts <callbackBaseUrl> <secret>` prints one JSON line
 * `{"urls": {...}}` once all six listen, and stops on SIGTERM.
 */
import { startAllSimulators } from '../simulators/run-all';

async function main(): Promise<void> {
  const [callbackBaseUrl, secret] = process.argv.slice(2);
  if (!callbackBaseUrl || !secret) throw new Error('usage: sims-process.ts <callbackBaseUrl> <secret>');
  const sims = await startAllSimulators({ secret, callbackBaseUrl });
  process.stdout.write(`${JSON.stringify({ urls: sims.urls })}\n`);
  const stop = () => void sims.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`simulators: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
