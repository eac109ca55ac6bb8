/**
 * What every simulator's server shares: an express app on loopback that reads raw bodies,
 * checks the clients' HMAC signatures, injects faults on demand and logs what it received.
 * The state (faults, log, callbacks) is a `Simulator` (simulator.ts).
 *
 * Control endpoints (unsigned, for tests and `npm start` only):
 *   POST /_control/faults  { latencyMs?, failNext?, timeoutNext?, duplicateCallbacks?, reorderCallbacks?, badSignature? }
 *   POST /_control/reset   faults off, log and held callbacks cleared (platform data stays)
 *   GET  /_control/log     { entries }: requests received, side effects made, callbacks sent
 *   GET|POST /_control/config  { callbackUrl }   (posting none clears it)
 *   POST /_control/flush   sends held callbacks, newest first
 *   GET  /_control/outbox  { pending }: callbacks the receiver has not taken yet, waiting for their next try
 *   POST /_control/outbox/retry  tries them all now: { deliveries }
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { verifySignature } from '../adapters/signing';
import { HttpProblem, object, type Json } from './http-problem';
import { noFaults, Simulator, type Faults, type PlatformState, type SimulatorOptions } from './simulator';

export * from './simulator';

interface Parsed {
  raw: string;
  json: unknown;
}
const bodies = new WeakMap<Request, Parsed>();

/** The parsed JSON body of a request, as an object (400 otherwise). */
export function body(req: Request): Json {
  return object(bodies.get(req)?.json);
}

/** The body as sent (e.g. a browser's form post), '' when none. */
export function rawBody(req: Request): string {
  return bodies.get(req)?.raw ?? '';
}

export interface PlatformSetup {
  name: string;
  options: SimulatorOptions;
  routes(r: Router, sim: Simulator): void;
  /** Routes anyone may call unsigned (e.g. certificate verification); faults still apply. */
  publicRoutes?(r: Router, sim: Simulator): void;
  /** Platform-specific control endpoints, mounted under /_control. */
  control?(r: Router, sim: Simulator): void;
  /** The secret a request is signed with, when not one for all (e.g. one per department). */
  secretFor?(req: Request, sender: string): string | undefined;
  /** The secret of callbacks sent as `sender`, when not the simulator's (e.g. a department's own). */
  callbackSecretFor?(sender: string): string | undefined;
  /** The platform's data, kept under `options.dataDir` when given (see simulator.ts). */
  state?: PlatformState;
}

export interface StartedSimulator {
  url: string;
  sim: Simulator;
  close: () => Promise<void>;
}

/** What each `start<Platform>Simulator` gives back. */
export interface RunningSimulator<C> {
  /** http://127.0.0.1:<port> */
  url: string;
  /** Stops listening and drops open connections, held answers and timers. */
  close: () => Promise<void>;
  /** The control endpoints, over HTTP. */
  control: C;
}

async function readBody(req: Request, res: Response, next: NextFunction): Promise<void> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 1_000_000) throw new HttpProblem(413, 'payload-too-large', '请求体过大');
    chunks.push(chunk);
  }
  const raw = Buffer.concat(chunks).toString('utf8');
  let json: unknown;
  // A browser's form post (the payment page) is kept as text; everything else must be JSON.
  const isForm = (req.get('content-type') ?? '').startsWith('application/x-www-form-urlencoded');
  try {
    json = raw && !isForm ? JSON.parse(raw) : undefined;
  } catch {
    res.status(400).json({ code: 'malformed-json', message: '请求体不是有效的 JSON' });
    return;
  }
  bodies.set(req, { raw, json });
  next();
}

function faultControl(sim: Simulator): Router {
  const r = express.Router();
  r.post('/faults', (req, res) => {
    const b = body(req);
    const next: Faults = { ...sim.faults };
    for (const [k, v] of Object.entries(b)) {
      if (!(k in noFaults)) throw new HttpProblem(400, 'bad-request', `未知的故障类型 ${k}`);
      const key = k as keyof Faults;
      if (typeof noFaults[key] !== typeof v || (typeof v === 'number' && (!Number.isInteger(v) || v < 0))) throw new HttpProblem(400, 'bad-request', `故障 ${k} 的取值不正确`);
      (next as unknown as Json)[key] = v;
    }
    sim.faults = next;
    res.json(sim.faults);
  });
  r.post('/reset', (_req, res) => {
    sim.reset();
    res.json({ reset: true });
  });
  r.get('/log', (_req, res) => {
    res.json({ entries: sim.log() });
  });
  r.get('/config', (_req, res) => {
    res.json({ callbackUrl: sim.callbackUrl ?? null });
  });
  r.post('/config', (req, res) => {
    const url = body(req).callbackUrl;
    if (url !== undefined && (typeof url !== 'string' || !URL.canParse(url))) throw new HttpProblem(400, 'bad-request', 'callbackUrl 应为 URL');
    sim.callbackUrl = url;
    res.json({ callbackUrl: sim.callbackUrl ?? null });
  });
  r.post('/flush', async (_req, res) => {
    res.json({ deliveries: await sim.flush() });
  });
  r.get('/outbox', (_req, res) => {
    res.json({ pending: sim.pending() });
  });
  r.post('/outbox/retry', async (_req, res) => {
    res.json({ deliveries: await sim.retryNow() });
  });
  return r;
}

/** Starts a platform simulator on 127.0.0.1 from its routes; used by each start<Platform>Simulator. */
export async function startSimulator(setup: PlatformSetup): Promise<StartedSimulator> {
  const sim = new Simulator(setup.name, setup.options, (sender) => setup.callbackSecretFor?.(sender));
  if (setup.state) sim.persist(setup.state);
  const hangMs = setup.options.hangMs ?? 10_000;
  const app = express();
  app.disable('x-powered-by');
  // Whatever a request other than a read changed is saved once it has been answered.
  app.use((req, res, next) => {
    if (req.method !== 'GET') res.on('finish', () => sim.changed());
    next();
  });
  app.use(readBody);

  const control = faultControl(sim);
  setup.control?.(control, sim);
  app.use('/_control', control);

  app.use(async (req, res, next) => {
    const entry = sim.record('request', `${req.method} ${req.path}`, { idempotencyKey: req.get('idempotency-key') ?? null });
    res.on('finish', () => (entry.detail.status = res.statusCode));
    const f = sim.faults;
    if (f.latencyMs > 0) await sim.sleep(f.latencyMs);
    if (f.failNext > 0) {
      f.failNext--;
      entry.detail.fault = 'fail';
      res.status(503).json({ code: 'service-unavailable', message: '服务暂时不可用（模拟故障）' });
      return;
    }
    if (f.timeoutNext > 0) {
      f.timeoutNext--;
      entry.detail.fault = 'timeout';
      // The work is done; only the answer is late, as when a response is lost on the way.
      const send = res.json.bind(res);
      res.json = ((payload: unknown) => {
        sim.after(hangMs, () => {
          if (res.socket && !res.socket.destroyed) send(payload);
        });
        return res;
      }) as typeof res.json;
    }
    next();
  });

  if (setup.publicRoutes) {
    const open = express.Router();
    setup.publicRoutes(open, sim);
    app.use(open);
  }

  app.use((req, res, next) => {
    const check = verifySignature(
      { method: req.method, path: req.originalUrl, headers: req.headers, body: bodies.get(req)?.raw ?? '' },
      { secret: (sender) => (setup.secretFor ? setup.secretFor(req, sender) : setup.options.secret), nonces: sim.nonces },
    );
    if (!check.ok) {
      res.status(401).json({ code: check.reason, message: check.message });
      return;
    }
    next();
  });

  const routes = express.Router();
  setup.routes(routes, sim);
  app.use(routes);
  app.use((_req, res) => {
    res.status(404).json({ code: 'not-found', message: '没有这个接口' });
  });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof HttpProblem) res.status(err.status).json({ code: err.code, message: err.message });
    else res.status(500).json({ code: 'internal', message: err instanceof Error ? err.message : String(err) });
  });

  const server = http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(setup.options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    sim,
    async close() {
      sim.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await sim.flushState(true);
    },
  };
}
