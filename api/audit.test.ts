/**
 * The audit chain against its own database's owner: every change made behind the API's back
 * (triggers disabled, rows deleted, re-hashed, truncated) is reported by verification, each
 * break and gap on its own, and rows cut from the end are found through the signed checkpoints.
 * Each tampering runs in a transaction that is rolled back.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { auditChainText } from '../db/migrations/007_access';
import { readCheckpoints, writeCheckpoint } from '../lib/audit-checkpoints';
import { createDb, type Db } from '../lib/db';
import { ctx } from '../test/context';
import { verifyAuditChain } from './services/audit';

class Rollback extends Error {}

describe('audit chain (HMAC, checkpoints) against the database owner', () => {
  let db: Db;
  let dir: string;
  let file: string;

  async function tampered<T>(change: (trx: Db) => Promise<void>, check: (trx: Db) => Promise<T>): Promise<T> {
    let result: T | undefined;
    await db.transaction(async (trx) => {
      await trx.raw('alter table audit_log disable trigger user');
      await change(trx);
      await trx.raw('alter table audit_log enable trigger user');
      result = await check(trx);
      throw new Rollback();
    }).catch((err: unknown) => {
      if (!(err instanceof Rollback)) throw err;
    });
    return result as T;
  }

  const verify = (trx: Db) => verifyAuditChain(trx, { checkpointFile: file });
  const seqs = async (trx: Db) => (await trx('audit_log').orderBy('chain_seq').pluck('chain_seq')).map(Number);

  before(async () => {
    db = createDb({ url: ctx.databaseUrl, embedded: ctx.embeddedDb });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onewindow-audit-'));
    file = path.join(dir, 'audit-checkpoints.jsonl');
    for (let i = 0; i < 6; i++) await db('audit_log').insert({ actor: 'test:audit', action: 'test.row', detail: JSON.stringify({ i }) });
    await writeCheckpoint(db, file);
  });
  after(async () => {
    await db?.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('when nothing was changed, then the chain and its checkpoint verify, and new rows are keyed (version 2)', async () => {
    const r = await verify(db);
    expect(r.ok, JSON.stringify(r)).to.equal(true);
    expect(r.checkpoint?.seq).to.equal(Math.max(...await seqs(db)));
    const last = await db('audit_log').orderBy('chain_seq', 'desc').first<{ chain_version: number }>('chain_version');
    expect(last.chain_version).to.equal(2);
  });

  it('when the owner truncates the audit log, then it is refused', async () => {
    const err = await db.raw('truncate audit_log').then(() => undefined, (e: Error) => e);
    expect(err?.message).to.contain('append-only');
  });

  it('when a connection without the audit key writes a row, then it is refused', async function () {
    // The embedded PGlite serves every connection from one session, so a setting made by one is seen by all.
    if (ctx.embeddedDb) this.skip();
    const client = new pg.Client({ connectionString: ctx.databaseUrl });
    await client.connect();
    try {
      const err = await client.query(`insert into audit_log (actor, action, detail) values ('intruder', 'forged', '{}')`).then(() => undefined, (e: Error) => e);
      expect(err?.message).to.contain('no audit key');
    } finally {
      await client.end();
    }
  });

  it('when every row is deleted, then verification reports the tail cut short against the checkpoint', async () => {
    const r = await tampered(async (trx) => void await trx('audit_log').del(), verify);
    expect(r.ok).to.equal(false);
    expect(r.rows).to.equal(0);
    expect(r.truncatedTail).to.include({ lastSeq: 0 });
  });

  it('when the last rows are deleted, then the truncated tail is reported', async () => {
    const all = await seqs(db);
    const r = await tampered(async (trx) => void await trx('audit_log').where('chain_seq', '>', all[all.length - 3]).del(), verify);
    expect(r.ok).to.equal(false);
    expect(r.truncatedTail).to.deep.include({ lastSeq: all[all.length - 3], checkpointSeq: all[all.length - 1] });
  });

  it('when two rows are changed, then both breaks are reported, not only the first', async () => {
    const all = await seqs(db);
    const [a, b] = [all[all.length - 5], all[all.length - 2]];
    const r = await tampered(async (trx) => {
      await trx('audit_log').whereIn('chain_seq', [a, b]).update({ detail: JSON.stringify({ forged: true }) });
    }, verify);
    expect(r.breaks).to.deep.equal([{ seq: a, reason: 'content-changed' }, { seq: b, reason: 'content-changed' }]);
    expect(r.brokenAt).to.deep.equal({ seq: a, reason: 'content-changed' });
  });

  it('when a row is changed and the chain re-hashed from there with plain SHA-256, then every re-hashed row is reported', async () => {
    const all = await seqs(db);
    const from = all[all.length - 4];
    const r = await tampered(async (trx) => {
      await trx('audit_log').where('chain_seq', from).update({ detail: JSON.stringify({ forged: true }) });
      for (const seq of all.filter((s) => s >= from)) {
        await trx.raw(`update audit_log set prev_hash = (select p.hash from audit_log p where p.chain_seq = audit_log.chain_seq - 1), chain_version = 1 where chain_seq = ?`, [seq]);
        await trx.raw(`update audit_log set hash = encode(sha256(convert_to(${auditChainText}, 'UTF8')), 'hex') where chain_seq = ?`, [seq]);
      }
    }, verify);
    expect(r.ok).to.equal(false);
    expect(r.breaks.map((x) => x.seq)).to.include.members(all.filter((s) => s >= from));
    expect(r.breaks.every((x) => x.reason === 'downgraded' || x.reason === 'checkpoint-mismatch')).to.equal(true);
  });

  it('when the chain is re-hashed with a guessed key, then every re-hashed row is reported as changed', async () => {
    const all = await seqs(db);
    const from = all[all.length - 3];
    const r = await tampered(async (trx) => {
      for (const seq of all.filter((s) => s >= from)) {
        await trx.raw(`update audit_log set prev_hash = (select p.hash from audit_log p where p.chain_seq = audit_log.chain_seq - 1) where chain_seq = ?`, [seq]);
        await trx.raw(`update audit_log set hash = audit_hmac(convert_to('onewindow-dev-audit-key', 'UTF8'), convert_to(${auditChainText}, 'UTF8')) where chain_seq = ?`, [seq]);
      }
    }, verify);
    expect(r.breaks.filter((x) => x.reason === 'content-changed').map((x) => x.seq)).to.deep.equal(all.filter((s) => s >= from));
  });

  it('when a row in the middle is deleted, then the gap is reported', async () => {
    const all = await seqs(db);
    const victim = all[all.length - 3];
    const r = await tampered(async (trx) => void await trx('audit_log').where('chain_seq', victim).del(), verify);
    expect(r.ok).to.equal(false);
    expect(r.gaps).to.deep.equal([{ from: victim, to: victim }]);
  });

  it('when a checkpoint line is forged, then verification says so', async () => {
    const forgedFile = path.join(dir, 'forged.jsonl');
    const [c] = readCheckpoints(file).valid;
    fs.writeFileSync(forgedFile, `${fs.readFileSync(file, 'utf8')}${JSON.stringify({ ...c, seq: c.seq + 100 })}\n`);
    const r = await verifyAuditChain(db, { checkpointFile: forgedFile });
    expect(r.ok).to.equal(false);
    expect(r.forgedCheckpoints).to.deep.equal([2]);
  });

  it('when rows were written before the keyed chain (SHA-256, version 1), then they still verify, and keyed rows continue from them', async () => {
    const r = await tampered(async (trx) => {
      await trx('audit_log').del();
      for (let seq = 1; seq <= 3; seq++) {
        await trx.raw(`insert into audit_log (actor, action, detail, chain_seq, chain_version, prev_hash) values ('old', 'old.row', ?, ?, 1, coalesce((select hash from audit_log where chain_seq = ?), repeat('0', 64)))`, [JSON.stringify({ seq }), seq, seq - 1]);
        await trx.raw(`update audit_log set at = date_trunc('microseconds', at), hash = null where chain_seq = ?`, [seq]);
        await trx.raw(`update audit_log set hash = encode(sha256(convert_to(${auditChainText}, 'UTF8')), 'hex') where chain_seq = ?`, [seq]);
      }
    }, async (trx) => {
      await trx('audit_log').insert({ actor: 'new', action: 'new.row', detail: '{}' });
      await trx('audit_log').insert({ actor: 'new', action: 'new.row', detail: '{}' });
      return { check: await verifyAuditChain(trx), versions: await trx('audit_log').orderBy('chain_seq').pluck('chain_version') };
    });
    expect(r.versions).to.deep.equal([1, 1, 1, 2, 2]);
    expect(r.check.ok, JSON.stringify(r.check)).to.equal(true);
  });
});
