/**
 * The case's live view from its workflow (a Temporal query), asked so that many readers of one
 * case never stall it or each other.
 *
 * A query is answered by the worker that holds the case. Two edges of Temporal's query path
 * were measured here (session 14, `api/live-view.test.ts` and the browser walk):
 * - While the case's workflow task is running, the server holds **one** query for it
 *   (`history.MaxBufferedQueryCount`, default 1) and refuses a second with RESOURCE_EXHAUSTED
 *   ("consistent query buffer is full"); the client retries that after 1 s, then 2 s, so two
 *   people looking at a case that moves waited 1.5–4.5 s. Raising the server's limit was tried
 *   and is worse: with several queries riding on one workflow task the SDK's core failed them as
 *   nondeterministic ("Missing associated machine for LocalActivity") and two of them hung 30 s.
 * - The SDK's core keeps the queries that arrive while it works on the case and drops them if the
 *   run is evicted meanwhile (the case closed) or a second workflow task supersedes the one
 *   buffered. A dropped query is never answered: the server gives up on the worker only after
 *   the sticky queue's timeout (10 s) and asks again. The walk's first case waited that long for
 *   its rating to show, its second case for its pre-check task.
 *
 * So each API process asks at most one query per case at a time: a reader arriving while one is
 * out waits for the **next** one, which starts after the running one ends and so after the reader
 * came (it sees every change made before it asked; joining the running query would not). And no
 * attempt may take longer than `attemptMs`: a query the worker dropped is asked again, which the
 * worker answers at once; after the last attempt the reader gets a 503 to retry, not a stall.
 */
import { isGrpcDeadlineError, type Client } from '@temporalio/client';
import { caseViewQuery, type CaseView } from '../../workflows/definitions';
import { serviceUnavailable, outageLog } from '../problem';

/** Time allowed to each attempt, in order: a query normally takes a few milliseconds, a closed case's (replayed whole) a few hundred. */
export const queryAttemptMs = [2_500, 5_000, 10_000];

interface Slot {
  running: Promise<CaseView>;
  /** The query that starts when `running` ends, shared by every reader that came meanwhile. */
  next?: Promise<CaseView>;
}

export class CaseQueries {
  private readonly slots = new Map<string, Slot>();

  constructor(private readonly client: Client, private readonly attemptMs: readonly number[] = queryAttemptMs) {}

  /** The case's view as its workflow holds it now (not older than this call). */
  view(caseNo: string): Promise<CaseView> {
    const slot = this.slots.get(caseNo);
    if (!slot) return this.start(caseNo);
    slot.next ??= slot.running.then(() => undefined, () => undefined).then(() => this.start(caseNo));
    return slot.next;
  }

  /** How many cases have a query out (for tests). */
  get outstanding(): number {
    return this.slots.size;
  }

  private start(caseNo: string): Promise<CaseView> {
    const running: Promise<CaseView> = this.ask(caseNo).finally(() => {
      if (this.slots.get(caseNo)?.running === running) this.slots.delete(caseNo);
    });
    this.slots.set(caseNo, { running });
    return running;
  }

  private async ask(caseNo: string): Promise<CaseView> {
    const handle = this.client.workflow.getHandle(caseNo);
    for (let i = 0; ; i++) {
      try {
        return await this.client.withDeadline(Date.now() + this.attemptMs[i], () => handle.query(caseViewQuery));
      } catch (err) {
        if (!isGrpcDeadlineError(err)) throw err;
        if (i === this.attemptMs.length - 1) {
          outageLog.report(`[api] 503: case ${caseNo}'s workflow did not answer its view within ${this.attemptMs.length} attempts`);
          throw serviceUnavailable();
        }
      }
    }
  }
}

const byClient = new WeakMap<Client, CaseQueries>();

/** This process's coalesced queries through `client`. */
export function caseQueries(client: Client): CaseQueries {
  let q = byClient.get(client);
  if (!q) byClient.set(client, (q = new CaseQueries(client)));
  return q;
}
