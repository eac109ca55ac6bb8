/**
 * The deploy artefacts (deploy/compose.yaml, deploy/helm/onewindow): `helm lint --strict` and
 * `helm template` pass; every environment variable lib/config.ts reads is given to the
 * application in compose.yaml and in the rendered manifests; no secret has a default, and the
 * configuration they give passes lib/config.ts's production checks.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { ensureHelm } from '../../lib/cluster';
import { devDefaults, loadConfig, platformNames } from '../../lib/config';

const repoRoot = path.resolve(__dirname, '..', '..');
const chart = path.join(repoRoot, 'deploy', 'helm', 'onewindow');
const secretNames = ['DATABASE_URL', 'SECRET_KEY', 'PLATFORM_SECRET', 'AUDIT_KEY'];

/** Every variable name lib/config.ts reads, from its source: `env, 'NAME'`, `env.NAME`, and the platforms' `<NAME>_URL`. */
function configVariables(): string[] {
  const src = fs.readFileSync(path.join(repoRoot, 'lib', 'config.ts'), 'utf8');
  const names = new Set<string>();
  for (const m of src.matchAll(/\(env, '([A-Z][A-Z0-9_]*)'/g)) names.add(m[1]);
  for (const m of src.matchAll(/env\.([A-Z][A-Z0-9_]*)/g)) names.add(m[1]);
  for (const p of platformNames) names.add(`${p.toUpperCase()}_URL`);
  return [...names].sort();
}

const random = () => crypto.randomBytes(36).toString('base64');

describe('deploy artefacts: compose.yaml and the Helm chart', function () {
  this.timeout(15 * 60_000);
  const config = loadConfig();
  let helm: string;
  const secrets = Object.fromEntries(secretNames.map((n) => [n, n === 'DATABASE_URL' ? 'postgres://onewindow:pw@postgres.db:5432/onewindow' : random()]));
  const setSecrets = secretNames.flatMap((n) => ['--set-string', `secrets.${n}=${secrets[n]}`]);
  const run = (args: string[]) => spawnSync(helm, args, { encoding: 'utf8', cwd: repoRoot });

  before(async function () {
    helm = await ensureHelm(config.cacheDir);
  });

  it('finds the variables of lib/config.ts (the check below is not vacuous)', function () {
    const vars = configVariables();
    expect(vars).to.include.members(['DATABASE_URL', 'TEMPORAL_ADDRESS', 'SECRET_KEY', 'WORKER_HEALTH_PORT', 'NODE_ENV', 'PAYMENT_URL']);
    expect(vars.length).to.be.greaterThan(30);
  });

  it('helm lint --strict passes', function () {
    const r = run(['lint', '--strict', chart, ...setSecrets]);
    expect(r.status, r.stdout + r.stderr).to.equal(0);
  });

  it('helm template refuses to render without the secrets (none has a default)', function () {
    const r = run(['template', 'onewindow', chart]);
    expect(r.status).to.not.equal(0);
    expect(r.stderr).to.match(/secrets\.(DATABASE_URL|SECRET_KEY|PLATFORM_SECRET|AUDIT_KEY) is required/);
    const values = YAML.parse(fs.readFileSync(path.join(chart, 'values.yaml'), 'utf8')) as { secrets: Record<string, string> };
    for (const n of secretNames) expect(values.secrets[n], n).to.equal('');
  });

  it('the rendered manifests give both Deployments every variable, from a ConfigMap and a Secret, and that configuration passes the production checks', function () {
    const r = run(['template', 'onewindow', chart, ...setSecrets]);
    expect(r.status, r.stderr).to.equal(0);
    type Doc = { kind: string; metadata: { name: string }; data?: Record<string, string>; stringData?: Record<string, string>; spec?: Record<string, unknown> };
    const docs = YAML.parseAllDocuments(r.stdout).map((d) => d.toJSON() as Doc).filter(Boolean);
    const kinds = docs.map((d) => d.kind);
    expect(kinds).to.include.members(['ConfigMap', 'Secret', 'Deployment', 'Service', 'Ingress', 'HorizontalPodAutoscaler', 'PodDisruptionBudget', 'Job']);
    const configMap = docs.find((d) => d.kind === 'ConfigMap')!;
    const secret = docs.find((d) => d.kind === 'Secret')!;
    const env: Record<string, string> = { ...configMap.data, ...secret.stringData };
    expect(Object.keys(env)).to.include.members(configVariables());
    // Secrets only in the Secret, never in the ConfigMap.
    for (const n of secretNames) expect(Object.keys(configMap.data!)).to.not.include(n);
    // Both Deployments (and the migration Job) take both.
    type Pod = { containers: { envFrom: { configMapRef?: { name: string }; secretRef?: { name: string } }[]; readinessProbe?: unknown; livenessProbe?: unknown }[] };
    const workloads = docs.filter((d) => d.kind === 'Deployment' || d.kind === 'Job');
    expect(workloads.map((d) => d.metadata.name).sort()).to.deep.equal(['onewindow-onewindow-api', 'onewindow-onewindow-migrate', 'onewindow-onewindow-worker']);
    for (const w of workloads) {
      const pod = (w.spec as { template: { spec: Pod } }).template.spec;
      const from = pod.containers[0].envFrom;
      expect(from.map((f) => f.configMapRef?.name ?? f.secretRef?.name), w.metadata.name).to.deep.equal([configMap.metadata.name, secret.metadata.name]);
      if (w.kind === 'Deployment') {
        expect(pod.containers[0].readinessProbe, w.metadata.name).to.be.an('object');
        expect(pod.containers[0].livenessProbe, w.metadata.name).to.be.an('object');
      }
    }
    // The worker's probes use its health port (WORKER_HEALTH_PORT).
    const worker = workloads.find((w) => w.metadata.name.endsWith('-worker'))!;
    const wc = (worker.spec as { template: { spec: { containers: { ports: { containerPort: number }[]; readinessProbe: { httpGet: { path: string } } }[] } } }).template.spec.containers[0];
    expect(wc.ports[0].containerPort).to.equal(Number(env.WORKER_HEALTH_PORT));
    expect(wc.readinessProbe.httpGet.path).to.equal('/ready');
    // The worker's autoscaler reads the task queue's backlog, the API's its CPU.
    const hpas = docs.filter((d) => d.kind === 'HorizontalPodAutoscaler').map((d) => JSON.stringify(d.spec));
    expect(hpas.some((h) => h.includes('"External"') && h.includes('backlog'))).to.equal(true);
    expect(hpas.some((h) => h.includes('"cpu"'))).to.equal(true);
    // What the pods get is a production configuration lib/config.ts accepts.
    expect(env.NODE_ENV).to.equal('production');
    const c = loadConfig(env);
    expect(c.production).to.equal(true);
    expect(c.workerHealthPort).to.equal(8081);
    for (const v of Object.values(devDefaults)) expect(Object.values(env)).to.not.include(v);
  });

  it('compose.yaml gives the worker and the API every variable, secrets only from the environment, and passes the production checks', function () {
    const compose = YAML.parse(fs.readFileSync(path.join(repoRoot, 'deploy', 'compose.yaml'), 'utf8'), { merge: true }) as { services: Record<string, { environment?: Record<string, string>; image?: string; command?: string[] }> };
    for (const name of ['worker', 'api', 'migrate']) {
      const env = compose.services[name].environment ?? {};
      expect(Object.keys(env), name).to.include.members(configVariables());
      for (const n of ['SECRET_KEY', 'PLATFORM_SECRET', 'AUDIT_KEY']) expect(env[n], `${name} ${n}`).to.match(/^\$\{[A-Z_]+:\?[^}]+\}$/);
      for (const v of Object.values(devDefaults)) expect(Object.values(env)).to.not.include(v);
      // With the required variables given, lib/config.ts accepts what compose passes.
      const given: Record<string, string> = { POSTGRES_PASSWORD: 'pw', ...Object.fromEntries(['SECRET_KEY', 'PLATFORM_SECRET', 'AUDIT_KEY'].map((n) => [n, random()])), ...Object.fromEntries(platformNames.map((p) => [`${p.toUpperCase()}_URL`, `https://${p}.example.gov.cn`])), PAYMENT_CASHIER_URL: 'https://pay.example.gov.cn/cashier', OTEL_EXPORTER_OTLP_ENDPOINT: '' };
      const interpolated = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v).replace(/\$\{([A-Z_]+)(:\?[^}]*)?\}/g, (_, n: string) => given[n])]));
      expect(loadConfig(interpolated).production, name).to.equal(true);
    }
    expect(compose.services.worker.command).to.deep.equal(['worker']);
    expect(compose.services.api.command).to.deep.equal(['api']);
    expect(Object.keys(compose.services)).to.include.members(['postgres', 'temporal', 'temporal-ui', 'temporal-schema', 'temporal-namespace', 'nginx']);
  });
});
