/**
 * The worker of the supervision-latency benchmark: the real workflows and activities, except
 * that working days come from a compressed calendar in which one working day lasts
 * `<workingDayMs>` milliseconds, so deadlines fall seconds after a case is accepted instead of
 * days. Everything after the deadline instant (the supervision sweep's timer and activity, or a
 * case's own timer, the projection of the supervision event) is the real code path.
 * `node --import tsx bench/supervision-worker.ts <workingDayMs> [<epochMs>]`, configured like `npm run worker`.
 */
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import { CompressedCalendar, type CalendarSnapshot } from '../lib/calendar/working-days';
import { loadConfig } from '../lib/config';
import { createPlatforms } from '../lib/platforms';
import { openDb, runMain, temporalAddressOf } from '../lib/runtime';
import { buildWorkflowBundle } from '../worker/worker';
import { connectClient } from '../lib/temporal';
import { ensureSupervisionSweep } from '../lib/supervision-sweep';
import { journalSinks } from '../worker/journal-sink';

/**
 * The compressed calendar (lib/calendar/working-days.ts, CompressedCalendar): for the second
 * engine, which counts in the workflow on the snapshot it asks for at its start (which says so;
 * compressed-workflows.ts drops the calendar the API hands in), and
 * as activities for cases of the first engine.
 */
function compressedCalendar(dayMs: number, epochMs: number | undefined) {
  const days = new CompressedCalendar(dayMs, epochMs);
  return {
    calendarSnapshot(): Promise<CalendarSnapshot> {
      return Promise.resolve({ years: [], holidays: [], workdays: [], compressedDayMs: dayMs, ...(epochMs === undefined ? {} : { compressedEpochMs: epochMs }) });
    },
    addWorkingDays({ from, days: n }: { from: string; days: number }): Promise<{ deadline: string; provisional: boolean }> {
      return Promise.resolve({ deadline: days.addWorkingDays(new Date(from), n).value.toISOString(), provisional: false });
    },
    workingDaysBetween({ from, to }: { from: string; to: string }): Promise<{ days: number; provisional: boolean }> {
      return Promise.resolve({ days: days.workingDaysBetween(new Date(from), new Date(to)).value, provisional: false });
    },
  };
}

runMain('supervision worker', async () => {
  const dayMs = Number(process.argv[2]);
  const epochMs = process.argv[3] === undefined ? undefined : Number(process.argv[3]);
  if (!Number.isInteger(dayMs) || dayMs < 1 || (epochMs !== undefined && !Number.isInteger(epochMs))) throw new Error('usage: supervision-worker.ts <workingDayMs> [<epochMs>: days begin there, deadlines at their starts]');
  const config = loadConfig();
  Runtime.install({ logger: new DefaultLogger(config.logLevel) });
  const db = await openDb(config);
  const departmentCodes = (await db('departments').pluck('code')) as string[];
  const platforms = createPlatforms({ urls: config.platformUrls, secret: config.platformSecret, departmentCodes });
  const connection = await NativeConnection.connect({ address: temporalAddressOf(config) });
  const activities = createActivities({ db, platforms });
  const worker = await Worker.create({
    connection,
    namespace: config.temporalNamespace,
    taskQueue: config.taskQueue,
    // The platform's workflows, a case not taking the API's calendar (so it asks this worker's).
    workflowBundle: buildWorkflowBundle({ workflows: require.resolve('./compressed-workflows') }),
    maxCachedWorkflows: config.workerCachedCases,
    activities: { ...activities, ...compressedCalendar(dayMs, epochMs) },
    sinks: journalSinks(activities),
  });
  // 电子监察's sweep on this task queue, as the platform's worker ensures it.
  const client = await connectClient(temporalAddressOf(config), config.temporalNamespace);
  await ensureSupervisionSweep(client, config.taskQueue, config.supervisionSweepMs);
  await client.connection.close();
  console.log(`supervision worker: polling task queue "${config.taskQueue}" (one working day = ${dayMs} ms)`);
  await worker.run();
  await connection.close();
  await db.destroy();
});
