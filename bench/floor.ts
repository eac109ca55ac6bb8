/**
 * The floor, driven: the same number of cases as the end-to-end run, each a bare workflow
 * (floor-workflow.ts) started with the case's search attributes and sent the case's updates and
 * signals in the case's order, at the same concurrency, straight through the Temporal client.
 */
import type { Client } from '@temporalio/client';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import fs from 'node:fs';
import { temporal } from '@temporalio/proto';
import { CaseStatus, Department, ItemCode } from '../workflows/search-attributes';
import { countHistory, eventTypeName, phasesOf, type HistoryCounts, type Phase } from './history';
import { floorSignal, floorUpdate, floorWorkflow } from './floor-workflow';
import { Latencies, pool } from './stats';

const typeNames = temporal.api.enums.v1.EventType as unknown as Record<number, string>;

/** The event types of a workflow's history, with the update or signal name where there is one. */
export async function historyEvents(client: Client, workflowId: string): Promise<{ type: string; name?: string }[]> {
  return eventsOf(await client.workflow.getHandle(workflowId).fetchHistory());
}

function eventsOf(history: temporal.api.history.v1.IHistory): { type: string; name?: string }[] {
  return (history.events ?? []).map((e) => {
    const type = eventTypeName(e, typeNames);
    const name = e.workflowExecutionSignaledEventAttributes?.signalName
      ?? e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name
      ?? e.markerRecordedEventAttributes?.markerName
      ?? undefined;
    return { type, name: name ?? undefined };
  });
}

export async function planFromCase(client: Client, caseNo: string): Promise<{ plan: Phase[]; counts: HistoryCounts }> {
  const events = await historyEvents(client, caseNo);
  return { plan: phasesOf(events), counts: countHistory(events.map((e) => e.type)) };
}

/**
 * The plan of a recorded history (a replay fixture): the floor of the case's shape as an earlier
 * release ran it. The first release's recording of the bench's item is the shape the issue's
 * floor was measured on (59 workflow tasks, 61 in the bench's own case then).
 */
export function planFromRecording(file: string): { plan: Phase[]; counts: HistoryCounts } {
  const events = eventsOf(historyFromJSON(JSON.parse(fs.readFileSync(file, 'utf8'))));
  return { plan: phasesOf(events), counts: countHistory(events.map((e) => e.type)) };
}

export interface FloorResult {
  cases: number;
  concurrency: number;
  seconds: number;
  casesPerSecond: number;
  latencies: ReturnType<Latencies['summary']>;
  counts: HistoryCounts;
}

export async function runFloor(o: { client: Client; taskQueue: string; plan: Phase[]; cases: number; concurrency: number; idPrefix: string; onCaseDone?: (n: number) => void }): Promise<FloorResult> {
  const lat = new Latencies();
  let done = 0;
  let lastId = '';
  const started = Date.now();
  await pool(o.cases, o.concurrency, async (i) => {
    const workflowId = `${o.idPrefix}-${i}`;
    const handle = await lat.time('start', () => o.client.workflow.start(floorWorkflow, {
      workflowId,
      taskQueue: o.taskQueue,
      args: [o.plan],
      typedSearchAttributes: [
        { key: ItemCode, value: 'FLOOR' },
        { key: Department, value: 'floor' },
        { key: CaseStatus, value: 'filed' },
      ],
    }));
    for (let n = 1; n < o.plan.length; n++) {
      if (o.plan[n].trigger === 'update') await lat.time('update', () => handle.executeUpdate(floorUpdate, { args: [n] }));
      else await lat.time('signal', () => handle.signal(floorSignal, n));
    }
    await handle.result();
    lastId = workflowId;
    o.onCaseDone?.(++done);
  });
  const seconds = (Date.now() - started) / 1000;
  const counts = countHistory((await historyEvents(o.client, lastId)).map((e) => e.type));
  return { cases: o.cases, concurrency: o.concurrency, seconds, casesPerSecond: o.cases / seconds, latencies: lat.summary(), counts };
}
