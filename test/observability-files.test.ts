/**
 * Dashboards and alerts as code (deploy/observability): the alert rules are a valid Prometheus
 * rule file (schema checked here; `promtool check rules` too when promtool is in the cache folder
 * or on PATH), every required alert is there with a runbook, and every expression of the rules and
 * of the Grafana dashboard names only metrics the platform exports (its registry, the Temporal
 * SDK's worker metrics it relies on, Prometheus's own `up`).
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { loadConfig } from '../lib/config';
import { readModelGaugeNames, registry, temporalSdkMetrics } from '../lib/metrics';

const dir = path.resolve(__dirname, '..', 'deploy', 'observability');
const durations = /^([0-9]+(ms|s|m|h|d|w|y))+$/;

interface Rule { alert?: string; record?: string; expr: unknown; for?: unknown; labels?: Record<string, unknown>; annotations?: Record<string, unknown> }

/** Every series name the platform's processes export. */
function exported(): Set<string> {
  const names = new Set<string>(['up']);
  // The read-model gauges register on first use (the API does); their names are fixed.
  for (const g of readModelGaugeNames) names.add(g);
  for (const m of registry.getMetricsAsArray()) {
    const { name, type } = m as unknown as { name: string; type: string };
    names.add(name);
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(`${name}${s}`);
  }
  for (const h of temporalSdkMetrics.histograms) for (const s of ['_bucket', '_sum', '_count']) names.add(`${h}${s}`);
  for (const n of [...temporalSdkMetrics.series, ...temporalSdkMetrics.onFailure]) names.add(n);
  return names;
}

/** The metric names an expression uses: identifiers that are not functions, keywords, label names or strings. */
function metricsIn(expr: string): string[] {
  const noStrings = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/\{[^}]*\}/g, '{}').replace(/\[[^\]]*\]/g, '[]');
  const words = noStrings.match(/[a-zA-Z_:][a-zA-Z0-9_:]*/g) ?? [];
  const notMetrics = new Set(['sum', 'max', 'min', 'avg', 'count', 'rate', 'increase', 'irate', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'histogram_quantile', 'topk', 'bottomk', 'absent', 'le', 'instance', 'job', 'operation', 'platform', 'department', 'supervision_level', 'stage', 'level', 'kind', 'limit', 'outcome', 'activity_type', 'worker_type', 'scope']);
  // Label lists after by/without were kept: drop the words inside `by (...)`.
  const grouped = new Set((noStrings.match(/\b(?:by|without)\s*\(([^)]*)\)/g) ?? []).flatMap((g) => g.replace(/^[a-z]+\s*\(/, '').replace(/\)$/, '').split(',').map((w) => w.trim())));
  return [...new Set(words.filter((w) => !notMetrics.has(w) && !grouped.has(w)))];
}

/** promtool from the cache folder (`<cache>/promtool/promtool`) or PATH, if there is one. */
function promtoolPath(): string | undefined {
  const cached = path.join(loadConfig().cacheDir, 'promtool', 'promtool');
  if (fs.existsSync(cached)) return cached;
  try {
    execFileSync('promtool', ['--version'], { stdio: 'ignore' });
    return 'promtool';
  } catch {
    return undefined;
  }
}

describe('dashboards and alerts as code (deploy/observability)', () => {
  const rulesFile = path.join(dir, 'alerts.yml');
  const doc = parse(fs.readFileSync(rulesFile, 'utf8')) as { groups?: { name?: unknown; rules?: Rule[] }[] };

  it('when the alert rules are read, then they are a Prometheus rule file: named groups of alerts, each with an expression, a duration, a severity, a summary and a runbook', () => {
    expect(doc.groups).to.be.an('array').that.is.not.empty;
    const groupNames = new Set<string>();
    for (const g of doc.groups!) {
      expect(g.name).to.be.a('string').and.not.equal('');
      expect(groupNames.has(g.name as string), `group ${String(g.name)} twice`).to.equal(false);
      groupNames.add(g.name as string);
      expect(Object.keys(g).every((k) => ['name', 'rules', 'interval', 'limit'].includes(k))).to.equal(true);
      expect(g.rules).to.be.an('array').that.is.not.empty;
      for (const r of g.rules!) {
        expect(Object.keys(r).every((k) => ['alert', 'expr', 'for', 'labels', 'annotations', 'keep_firing_for'].includes(k)), JSON.stringify(r)).to.equal(true);
        expect(r.alert).to.match(/^[A-Za-z_][A-Za-z0-9_]*$/);
        expect(r.expr).to.be.a('string').and.not.equal('');
        expect(String(r.for)).to.match(durations);
        expect(r.labels?.severity).to.be.oneOf(['critical', 'warning']);
        expect(r.annotations?.summary).to.be.a('string').and.not.equal('');
        expect(r.annotations?.runbook).to.be.a('string').and.not.equal('');
      }
    }
  });

  it('when the alerts are listed, then worker down, workflow task failures, supervision lag over 60 s, projection lag, platform error rate and webhook backlog are there', () => {
    const rules = doc.groups!.flatMap((g) => g.rules ?? []);
    const byName = new Map(rules.map((r) => [r.alert, String(r.expr)]));
    expect(byName.get('OnewindowWorkerDown')).to.contain('up{job="onewindow-worker"}');
    expect(byName.get('OnewindowWorkflowTaskFailures')).to.contain('temporal_workflow_task_execution_failed_total');
    expect(byName.get('OnewindowSupervisionLag')).to.match(/onewindow_supervision_lag_seconds_bucket.*> 60$/s);
    expect(byName.get('OnewindowSupervisionSweepBehind')).to.match(/onewindow_supervision_sweep_behind_seconds.*> 60$/);
    expect(byName.get('OnewindowSupervisionClockUnrecordable')).to.match(/onewindow_supervision_clocks_unrecordable.*> 0$/);
    expect(byName.get('OnewindowProjectionLag')).to.contain('onewindow_projection_lag_seconds_bucket');
    expect(byName.get('OnewindowPlatformErrorRate')).to.contain('onewindow_platform_call_duration_seconds_count{outcome="transient"}');
    expect(byName.get('OnewindowWebhookBacklog')).to.contain('onewindow_webhook_backlog');
  });

  it('when every rule expression is read, then it names only metrics the platform exports', () => {
    const known = exported();
    for (const r of doc.groups!.flatMap((g) => g.rules ?? [])) {
      const used = metricsIn(String(r.expr));
      expect(used.length, `${r.alert}: ${String(r.expr)}`).to.be.greaterThan(0);
      for (const m of used) expect(known.has(m), `${r.alert} uses ${m}, which nothing exports`).to.equal(true);
    }
  });

  it('when promtool is available (cache folder or PATH), then `promtool check rules` passes on the rule file', function () {
    const promtool = promtoolPath();
    if (!promtool) this.skip(); // the schema check above still ran
    const out = execFileSync(promtool, ['check', 'rules', rulesFile], { encoding: 'utf8' });
    expect(out).to.match(/SUCCESS: \d+ rules found/);
  });

  it('when promtool is available, then its rule unit tests show the alerts fire on the series that mean trouble and stay quiet on healthy ones', function () {
    const promtool = promtoolPath();
    if (!promtool) this.skip();
    const rules = new Map(doc.groups!.flatMap((g) => g.rules ?? []).map((r) => [r.alert!, r]));
    /** The alert as promtool should see it: its labels, and its annotations rendered for those labels. */
    const expected = (name: string, labels: Record<string, string>) => {
      const r = rules.get(name)!;
      const render = (t: unknown) => String(t).replace(/\{\{ \$labels\.(\w+) \}\}/g, (_m, k: string) => labels[k] ?? '');
      return { exp_labels: { ...labels, severity: r.labels!.severity }, exp_annotations: Object.fromEntries(Object.entries(r.annotations!).map(([k, v]) => [k, render(v)])) };
    };
    const tests = {
      rule_files: ['alerts.yml'],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [
            { series: 'up{job="onewindow-worker",instance="w1"}', values: '1 1 0x20' },
            { series: 'up{job="onewindow-worker",instance="w2"}', values: '1x22' },
            { series: 'onewindow_supervision_lag_seconds_bucket{le="60"}', values: '0x30' },
            { series: 'onewindow_supervision_lag_seconds_bucket{le="120"}', values: '0+1x30' },
            { series: 'onewindow_supervision_lag_seconds_bucket{le="+Inf"}', values: '0+1x30' },
            { series: 'onewindow_platform_call_duration_seconds_count{platform="payment",outcome="transient"}', values: '0+30x30' },
            { series: 'onewindow_platform_call_duration_seconds_count{platform="payment",outcome="ok"}', values: '0+70x30' },
            { series: 'onewindow_platform_call_duration_seconds_count{platform="identity",outcome="ok"}', values: '0+100x30' },
            { series: 'onewindow_webhook_oldest_pending_seconds{instance="a1"}', values: '0+120x30' },
            { series: 'onewindow_webhook_backlog{instance="a1"}', values: '5x30' },
            { series: 'onewindow_supervision_clocks_unrecordable{clock="case",instance="a1"}', values: '0x30' },
            { series: 'onewindow_supervision_clocks_unrecordable{clock="step",instance="a1"}', values: '0 0 1x28' },
          ],
          alert_rule_test: [
            { eval_time: '1m', alertname: 'OnewindowWorkerDown', exp_alerts: [] },
            { eval_time: '10m', alertname: 'OnewindowWorkerDown', exp_alerts: [expected('OnewindowWorkerDown', { job: 'onewindow-worker', instance: 'w1' })] },
            { eval_time: '10m', alertname: 'OnewindowNoWorker', exp_alerts: [] },
            { eval_time: '25m', alertname: 'OnewindowSupervisionLag', exp_alerts: [expected('OnewindowSupervisionLag', {})] },
            { eval_time: '25m', alertname: 'OnewindowPlatformErrorRate', exp_alerts: [expected('OnewindowPlatformErrorRate', { platform: 'payment' })] },
            { eval_time: '10m', alertname: 'OnewindowWebhookBacklog', exp_alerts: [] },
            { eval_time: '30m', alertname: 'OnewindowWebhookBacklog', exp_alerts: [expected('OnewindowWebhookBacklog', {})] },
            { eval_time: '8m', alertname: 'OnewindowSupervisionClockUnrecordable', exp_alerts: [] },
            { eval_time: '15m', alertname: 'OnewindowSupervisionClockUnrecordable', exp_alerts: [expected('OnewindowSupervisionClockUnrecordable', {})] },
          ],
        },
      ],
    };
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'onewindow-promtool-'));
    try {
      fs.copyFileSync(rulesFile, path.join(tmp, 'alerts.yml'));
      fs.writeFileSync(path.join(tmp, 'alerts.test.yml'), stringify(tests));
      const out = execFileSync(promtool, ['test', 'rules', path.join(tmp, 'alerts.test.yml')], { encoding: 'utf8' });
      expect(out).to.contain('SUCCESS');
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('when the Grafana dashboard is loaded, then it is a dashboard of panels with grid positions and Prometheus queries that name only metrics the platform exports', () => {
    const dash = JSON.parse(fs.readFileSync(path.join(dir, 'grafana-dashboard.json'), 'utf8')) as Record<string, any>;
    expect(dash.uid).to.be.a('string').and.match(/^[a-z0-9-]{1,40}$/);
    expect(dash.title).to.be.a('string').and.not.equal('');
    expect(dash.schemaVersion).to.be.a('number').and.at.least(30);
    expect(dash.templating.list.map((v: { name: string }) => v.name)).to.include('datasource');
    const panels = dash.panels as Record<string, any>[];
    expect(panels.length).to.be.greaterThan(10);
    const ids = new Set<number>();
    const known = exported();
    const used = new Set<string>();
    for (const p of panels) {
      expect(ids.has(p.id as number), `panel id ${p.id} twice`).to.equal(false);
      ids.add(p.id as number);
      expect(p.type).to.be.oneOf(['row', 'timeseries', 'stat', 'gauge', 'table', 'bargauge']);
      for (const k of ['x', 'y', 'w', 'h']) expect(p.gridPos[k], `${p.title}.gridPos.${k}`).to.be.a('number');
      expect(p.gridPos.x + p.gridPos.w).to.be.at.most(24);
      if (p.type === 'row') continue;
      expect(p.datasource).to.deep.equal({ type: 'prometheus', uid: '${datasource}' });
      expect(p.targets).to.be.an('array').that.is.not.empty;
      for (const t of p.targets as { expr: string; refId: string }[]) {
        expect(t.refId).to.match(/^[A-Z]$/);
        const names = metricsIn(t.expr);
        expect(names.length, `${p.title}: ${t.expr}`).to.be.greaterThan(0);
        for (const m of names) {
          expect(known.has(m), `panel "${p.title}" uses ${m}, which nothing exports`).to.equal(true);
          used.add(m.replace(/_(bucket|sum|count)$/, ''));
        }
      }
    }
    // Every family of the platform's own is on the dashboard.
    for (const family of ['onewindow_cases_total', 'onewindow_open_tasks', 'onewindow_supervision_events_total', 'onewindow_supervision_lag_seconds', 'onewindow_projection_lag_seconds', 'onewindow_tasks_opened_total', 'onewindow_platform_call_duration_seconds', 'onewindow_webhook_attempts_total', 'onewindow_webhook_backlog', 'onewindow_supervision_sweep_behind_seconds', 'onewindow_supervision_clocks_unrecordable', 'onewindow_notices_unsent', 'onewindow_http_requests_total', 'onewindow_http_request_duration_seconds', 'onewindow_sign_in_failures_total', 'onewindow_rate_limit_refusals_total']) {
      expect(used.has(family), family).to.equal(true);
    }
  });
});
