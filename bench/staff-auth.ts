/**
 * How the benchmark's simulated people authenticate to the API: the one place that knows it.
 * Staff sign in with `POST /api/auth/login` (user id and password) and send the bearer token;
 * applicants sign in by SMS (`/api/auth/applicant/sms`, then `/login` with the code, which the
 * identity simulator's log shows as a phone would). One session per person per run.
 */

export interface Auth {
  /** Headers that authenticate staff member `userId`. */
  staff(userId: string): Promise<Record<string, string>>;
  /** Headers that authenticate an applicant. */
  applicant(person: { idNumber: string; name: string; phone: string }): Promise<Record<string, string>>;
}

async function postJson<T>(url: string, body: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

export function createAuth(o: { baseUrl: string; staffPassword: string; identityUrl: string }): Auth {
  const sessions = new Map<string, Promise<Record<string, string>>>();
  const once = (key: string, signIn: () => Promise<string>) => {
    let s = sessions.get(key);
    if (!s) {
      s = signIn().then((token) => ({ authorization: `Bearer ${token}` }));
      sessions.set(key, s);
    }
    return s;
  };
  return {
    staff: (userId) => once(`staff:${userId}`, async () => {
      const r = await postJson<{ token: string }>(`${o.baseUrl}/api/auth/login`, { username: userId, password: o.staffPassword });
      if (r.status !== 200) throw new Error(`sign-in of ${userId} failed: HTTP ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.token;
    }),
    applicant: (person) => once(`applicant:${person.idNumber}`, async () => {
      const sent = await postJson<{ requestId: string }>(`${o.baseUrl}/api/auth/applicant/sms`, { idNumber: person.idNumber, name: person.name, phone: person.phone });
      if (sent.status !== 201) throw new Error(`SMS sign-in of ${person.name} failed: HTTP ${sent.status} ${JSON.stringify(sent.body)}`);
      const log = (await (await fetch(`${o.identityUrl}/_control/log`)).json()) as { entries: { kind: string; what: string; detail: { requestId?: string; code?: string } }[] };
      const code = log.entries.find((e) => e.kind === 'effect' && e.what === 'sms-code.sent' && e.detail.requestId === sent.body.requestId)?.detail.code;
      if (!code) throw new Error(`the identity simulator sent no SMS code for ${sent.body.requestId}`);
      const r = await postJson<{ token: string }>(`${o.baseUrl}/api/auth/applicant/login`, { requestId: sent.body.requestId, code });
      if (r.status !== 200) throw new Error(`SMS code of ${person.name} refused: HTTP ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.token;
    }),
  };
}
