/**
 * The platform's Prometheus metrics (prom-client), one registry per process, served on a listener
 * of its own (`startMetricsServer`): never on the API's app, so the public zone cannot reach it.
 *
 * Counters that must count a case's change once are incremented where it is written to the read
 * model (the projection writer, after its transaction commits), never in workflow code, which a
 * replay runs again. Gauges about the read model are read on scrape with bounded queries.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import client from 'prom-client';
import type { Db } from './db';
import { nextSupervisionInstant } from './supervision-sweep';

export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry });

const seconds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const lagBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 3600];

export const httpRequests = new client.Counter({
  name: 'onewindow_http_requests_total',
  help: 'API requests answered, by OpenAPI operation id (unmatched: no operation; web: the web app) and status',
  labelNames: ['operation', 'method', 'status'] as const,
  registers: [registry],
});
export const httpDuration = new client.Histogram({
  name: 'onewindow_http_request_duration_seconds',
  help: 'Time to answer an API request, by OpenAPI operation id and status; a held case view (?wait=) counts without the time it was held',
  labelNames: ['operation', 'method', 'status'] as const,
  buckets: seconds,
  registers: [registry],
});
export const caseViewWaiting = new client.Gauge({
  name: 'onewindow_case_view_waiting',
  help: 'Case-view requests held until their case moves (GET /api/cases/{caseNo}?wait=), in this process',
  registers: [registry],
});
export const signInFailures = new client.Counter({
  name: 'onewindow_sign_in_failures_total',
  help: 'Refused sign-ins (wrong user id or password, failed SMS code), by kind of account',
  labelNames: ['kind'] as const,
  registers: [registry],
});
export const rateLimitRefusals = new client.Counter({
  name: 'onewindow_rate_limit_refusals_total',
  help: 'Requests refused with 429, by limit (integrator: a key over its rate; sign-in: an address or account that must wait)',
  labelNames: ['limit'] as const,
  registers: [registry],
});
export const caseTransitions = new client.Counter({
  name: 'onewindow_cases_total',
  help: 'Cases that reached a stage (filed, accepted, decided, completed), by service item and department; counted once, when projected',
  labelNames: ['stage', 'item', 'department'] as const,
  registers: [registry],
});
export const supervisionEvents = new client.Counter({
  name: 'onewindow_supervision_events_total',
  help: 'Supervision events recorded (level warning, overdue, cleared), by scope (case, step) and department',
  labelNames: ['level', 'scope', 'department'] as const,
  registers: [registry],
});
export const supervisionLag = new client.Histogram({
  name: 'onewindow_supervision_lag_seconds',
  help: 'Overdue events: time from the deadline instant to the event being recorded in the read model',
  labelNames: ['scope'] as const,
  buckets: lagBuckets,
  registers: [registry],
});
export const projectionLag = new client.Histogram({
  name: 'onewindow_projection_lag_seconds',
  help: 'Time from a case event (workflow time) to its write in the read model',
  buckets: lagBuckets,
  registers: [registry],
});
export const projectionBatches = new client.Counter({
  name: 'onewindow_projection_batches_total',
  help: 'Projection batches written by the case workflows (one local activity each), by outcome',
  labelNames: ['outcome'] as const,
  registers: [registry],
});
export const tasksOpened = new client.Counter({
  name: 'onewindow_tasks_opened_total',
  help: 'Tasks put in an inbox, by kind (review, manual …) and department; kind="manual" are manual tasks after a platform failure or an unclear step',
  labelNames: ['kind', 'department'] as const,
  registers: [registry],
});
export const platformCalls = new client.Histogram({
  name: 'onewindow_platform_call_duration_seconds',
  help: 'HTTP calls (each attempt) to the external platforms, by platform and outcome (ok, refused, transient)',
  labelNames: ['platform', 'outcome'] as const,
  buckets: seconds,
  registers: [registry],
});
export const webhookAttempts = new client.Counter({
  name: 'onewindow_webhook_attempts_total',
  help: 'Webhook delivery attempts, by outcome (delivered, retry: will be tried again, failed: given up)',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

/** The names of the read-model gauges (registered by the API only, see registerReadModelGauges). */
export const readModelGaugeNames = ['onewindow_open_tasks', 'onewindow_webhook_backlog', 'onewindow_supervision_sweep_behind_seconds', 'onewindow_supervision_clocks_unrecordable', 'onewindow_notices_unsent', 'onewindow_webhook_oldest_pending_seconds'] as const;

/**
 * Gauges read from the read model on scrape, each a bounded query (a group-by over indexed
 * columns). Registered by one kind of process (the API), so they are not exported twice.
 */
export function registerReadModelGauges(db: Db): void {
  if (registry.getSingleMetric('onewindow_open_tasks')) return;
  new client.Gauge({
    name: 'onewindow_open_tasks',
    help: 'Open tasks in the inboxes, by department and the supervision level of their case (normal, warning, overdue)',
    labelNames: ['department', 'supervision_level'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await db('tasks as t').join('cases as c', 'c.case_no', 't.case_no').where('t.status', 'open')
        .groupBy('t.department_code', 'c.supervision_state').select('t.department_code as department', 'c.supervision_state as level')
        .count<{ department: string; level: string; count: string }[]>('* as count').limit(5000);
      for (const r of rows) this.set({ department: r.department, supervision_level: r.level }, Number(r.count));
    },
  });
  new client.Gauge({
    name: 'onewindow_webhook_backlog',
    help: 'Webhook deliveries waiting to be sent (state pending)',
    registers: [registry],
    async collect() {
      const row = await db('webhook_deliveries').where({ state: 'pending' }).count<{ count: string }>('* as count').first();
      this.set(Number(row?.count ?? 0));
    },
  });
  new client.Gauge({
    name: 'onewindow_supervision_sweep_behind_seconds',
    help: 'How long the earliest instant of a published case or step clock has been due without the supervision sweep recording it (0 when none is due; a clock whose record the database refused waits for its next try, see onewindow_supervision_clocks_unrecordable)',
    registers: [registry],
    async collect() {
      const next = await nextSupervisionInstant(db);
      this.set(next ? Math.max(0, (Date.now() - next.getTime()) / 1000) : 0);
    },
  });
  new client.Gauge({
    name: 'onewindow_supervision_clocks_unrecordable',
    help: 'Published clocks (clock: case or step) whose warning or alarm the database refused to record, even alone; the sweep tries each again later (sweep_failures, sweep_error on its row)',
    labelNames: ['clock'] as const,
    registers: [registry],
    async collect() {
      const [cases, steps] = await Promise.all([
        db('cases').where('sweep_failures', '>', 0).count<{ count: string }>('* as count').first(),
        db('step_clocks').where('sweep_failures', '>', 0).count<{ count: string }>('* as count').first(),
      ]);
      this.set({ clock: 'case' }, Number(cases?.count ?? 0));
      this.set({ clock: 'step' }, Number(steps?.count ?? 0));
    },
  });
  new client.Gauge({
    name: 'onewindow_notices_unsent',
    help: 'Notices (supervision warnings and alarms to departments) recorded but not yet taken by the messaging platform',
    registers: [registry],
    async collect() {
      const row = await db('notifications').where('outbox', true).whereNull('sent_at').count<{ count: string }>('* as count').first();
      this.set(Number(row?.count ?? 0));
    },
  });
  new client.Gauge({
    name: 'onewindow_webhook_oldest_pending_seconds',
    help: 'Age of the oldest pending webhook delivery (0 when none)',
    registers: [registry],
    async collect() {
      const row = await db('webhook_deliveries').where({ state: 'pending' }).min<{ oldest: Date | null }>('created_at as oldest').first();
      this.set(row?.oldest ? Math.max(0, (Date.now() - new Date(row.oldest).getTime()) / 1000) : 0);
    },
  });
}

export interface MetricsServerOptions {
  host: string;
  port: number;
  /** More exposition text to append (the Temporal SDK's own metrics, in the worker). */
  extra?: () => Promise<string>;
}

/** A listener that answers GET /metrics with this process's metrics (and `extra`), nothing else. */
export async function startMetricsServer(o: MetricsServerOptions): Promise<{ server: http.Server; port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    void (async () => {
      try {
        let text = await registry.metrics();
        if (o.extra) text += `\n${await o.extra().catch(() => '')}`;
        res.writeHead(200, { 'content-type': registry.contentType }).end(text);
      } catch (err) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${err instanceof Error ? err.message : String(err)}\n`);
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => { server.off('error', reject); resolve(); });
  });
  const port = (server.address() as AddressInfo).port;
  return { server, port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/**
 * The Temporal SDK's own worker metrics this platform's dashboard and alerts use (Prometheus
 * names as the worker serves them: `temporal_` prefix, `_total` on counters, durations in seconds
 * without a unit suffix). `histograms` have `_bucket`, `_sum` and `_count` series; the
 * `onFailure` counters appear once the first failure has happened.
 */
export const temporalSdkMetrics = {
  histograms: ['temporal_workflow_task_execution_latency', 'temporal_workflow_task_schedule_to_start_latency', 'temporal_activity_execution_latency', 'temporal_activity_schedule_to_start_latency', 'temporal_workflow_endtoend_latency'],
  series: ['temporal_sticky_cache_size', 'temporal_sticky_cache_hit_total', 'temporal_worker_task_slots_available', 'temporal_num_pollers', 'temporal_workflow_completed_total'],
  onFailure: ['temporal_workflow_task_execution_failed_total', 'temporal_activity_execution_failed_total', 'temporal_workflow_failed_total'],
};
