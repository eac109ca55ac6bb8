/**
 * Simulated messaging gateway: records each SMS and in-app message, once per Idempotency-Key.
 * What was sent is in GET /_control/log as `sms.sent` / `in-app.sent` effects.
 */
import crypto from 'node:crypto';
import type { Router } from 'express';
import { SimulatorControl } from './control-client';
import { HttpProblem, object, optStr, str } from './http-problem';
import { IdempotencyStore, requireKey } from './idempotency';
import { body, startSimulator, type LogEntry, type RunningSimulator, type Simulator, type SimulatorOptions } from './kit';

export class MessagingControl extends SimulatorControl {
  /** Messages sent, oldest first. */
  async sent(): Promise<LogEntry[]> {
    return (await this.log()).filter((e) => e.kind === 'effect');
  }
}

function routes(r: Router, sim: Simulator, once: IdempotencyStore<{ messageId: string }>): void {

  r.post('/sms', (req, res) => {
    const b = body(req);
    const { value, replayed } = once.run(`sms\n${requireKey(req)}`, b, () => {
      const phone = str(b, 'phone');
      if (!/^1[3-9]\d{9}$/.test(phone)) throw new HttpProblem(422, 'invalid-phone', '手机号码格式不正确');
      const messageId = `sms-${crypto.randomUUID()}`;
      sim.effect('sms.sent', { messageId, phone, template: str(b, 'template'), params: object(b.params, 'params') });
      return { messageId };
    });
    res.status(replayed ? 200 : 201).json(value);
  });

  r.post('/in-app', (req, res) => {
    const b = body(req);
    const { value, replayed } = once.run(`in-app\n${requireKey(req)}`, b, () => {
      const messageId = `msg-${crypto.randomUUID()}`;
      sim.effect('in-app.sent', { messageId, userId: str(b, 'userId'), title: str(b, 'title'), body: str(b, 'body'), caseNo: optStr(b, 'caseNo') ?? null });
      return { messageId };
    });
    res.status(replayed ? 200 : 201).json(value);
  });
}

/** Starts the messaging gateway simulator. */
export async function startMessagingSimulator(opts: SimulatorOptions): Promise<RunningSimulator<MessagingControl>> {
  // Only the messages sent per key are kept (so a retried send after a restart is not sent twice); what was sent is in the log.
  const once = new IdempotencyStore<{ messageId: string }>();
  const state = { save: () => once.save(), load: (data: unknown) => once.load(data as ReturnType<typeof once.save>) };
  const started = await startSimulator({ name: 'messaging', options: opts, state, routes: (r, sim) => routes(r, sim, once) });
  return { url: started.url, close: started.close, control: new MessagingControl(started.url) };
}
