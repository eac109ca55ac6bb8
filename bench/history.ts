/**
 * Counts what a workflow asked of the engine, from its real history: starts, updates, signals,
 * activities, timers and search-attribute upserts, and the shape the floor replays (which
 * commands came together in one workflow task, between which incoming messages).
 */
import type { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** What one workflow task's completion asked for. */
export interface Batch {
  activities: number;
  /** Local activities (the second engine's projection writes, calendar, messages), recorded as markers. */
  locals: number;
  timers: number;
  /** Timers cancelled (condition timeouts no longer needed). */
  cancels: number;
  upserts: number;
}

/** A stretch of the history started by the workflow's start or by one incoming message. */
export interface Phase {
  trigger: 'start' | 'update' | 'signal';
  /** Update name or signal name. */
  name: string;
  batches: Batch[];
}

export interface HistoryCounts {
  events: number;
  byType: Record<string, number>;
  starts: number;
  updates: number;
  signals: number;
  activities: number;
  timersStarted: number;
  timersFired: number;
  timersCancelled: number;
  upserts: number;
  workflowTasks: number;
  /** Markers: local activities' results and patch markers. */
  markers: number;
}

/** The event type's name (e.g. ACTIVITY_TASK_SCHEDULED), whether the history holds names or numbers. */
export function eventTypeName(e: HistoryEvent, names: Record<number, string>): string {
  const t = e.eventType as unknown;
  const raw = typeof t === 'number' ? names[t] ?? String(t) : String(t);
  return raw.replace(/^EVENT_TYPE_/, '');
}

export function countHistory(types: string[]): HistoryCounts {
  const byType: Record<string, number> = {};
  for (const t of types) byType[t] = (byType[t] ?? 0) + 1;
  const n = (t: string) => byType[t] ?? 0;
  return {
    events: types.length,
    byType,
    starts: n('WORKFLOW_EXECUTION_STARTED'),
    updates: n('WORKFLOW_EXECUTION_UPDATE_ACCEPTED'),
    signals: n('WORKFLOW_EXECUTION_SIGNALED'),
    activities: n('ACTIVITY_TASK_SCHEDULED'),
    timersStarted: n('TIMER_STARTED'),
    timersFired: n('TIMER_FIRED'),
    timersCancelled: n('TIMER_CANCELED'),
    upserts: n('UPSERT_WORKFLOW_SEARCH_ATTRIBUTES'),
    workflowTasks: n('WORKFLOW_TASK_COMPLETED'),
    markers: n('MARKER_RECORDED'),
  };
}

/**
 * Splits a history into phases (the start, then each accepted update or signal) and each phase
 * into batches: the commands one workflow task completion produced. `name` is an update's or
 * signal's name, or a marker's (local activities' markers are `core_local_activity`).
 */
export function phasesOf(events: { type: string; name?: string }[]): Phase[] {
  const phases: Phase[] = [];
  let phase: Phase | undefined;
  let batch: Batch | undefined;
  const commands = new Set(['ACTIVITY_TASK_SCHEDULED', 'TIMER_STARTED', 'TIMER_CANCELED', 'UPSERT_WORKFLOW_SEARCH_ATTRIBUTES']);
  for (const e of events) {
    if (e.type === 'WORKFLOW_EXECUTION_STARTED' || e.type === 'WORKFLOW_EXECUTION_UPDATE_ACCEPTED' || e.type === 'WORKFLOW_EXECUTION_SIGNALED') {
      phase = { trigger: e.type === 'WORKFLOW_EXECUTION_STARTED' ? 'start' : e.type === 'WORKFLOW_EXECUTION_SIGNALED' ? 'signal' : 'update', name: e.name ?? '', batches: [] };
      phases.push(phase);
      batch = undefined;
      continue;
    }
    if (e.type === 'WORKFLOW_TASK_COMPLETED') {
      batch = undefined;
      continue;
    }
    const local = e.type === 'MARKER_RECORDED' && e.name === 'core_local_activity';
    if ((!commands.has(e.type) && !local) || !phase) continue;
    if (!batch) {
      batch = { activities: 0, locals: 0, timers: 0, cancels: 0, upserts: 0 };
      phase.batches.push(batch);
    }
    if (local) batch.locals++;
    else if (e.type === 'ACTIVITY_TASK_SCHEDULED') batch.activities++;
    else if (e.type === 'TIMER_STARTED') batch.timers++;
    else if (e.type === 'TIMER_CANCELED') batch.cancels++;
    else batch.upserts++;
  }
  return phases;
}
