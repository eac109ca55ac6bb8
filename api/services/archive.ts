/**
 * 审批档案: every closed case gets an archive package in the archive store (ARCHIVE_DIR):
 *
 *   <department>/<case number>/
 *     application.json            the application as filed: item, pinned entry, applicant, form data, delivery
 *     materials/<n>-<file name>   the materials uploaded, as uploaded
 *     documents/<kind>.json       the notices and decision documents (numbered when the case had not printed them)
 *     history.json                the readable history (the engine's timeline, the case's events, the tasks and their opinions)
 *     audit.json                  the audit entries of the case
 *     certificate.json            the e-certificate issued, with its seal (when one was)
 *     manifest.json, manifest.sig the SM3 digest of every file, sealed with the department's SM2 key
 *
 * The projection queues the case with its `closed` event (`archive_queue`); the archive writer,
 * running in the worker process, builds and writes the package and registers it. Supervisors list,
 * download (a tar, audited) and verify the packages of their jurisdiction.
 */
import type { Client } from '@temporalio/client';
import path from 'node:path';
import fs from 'node:fs/promises';
import type { Db } from '../../lib/db';
import { notFound, AppError } from '../../lib/errors';
import { ThrottledLog } from '../../lib/throttled-log';
import { PollingLoop } from '../../lib/polling-loop';
import { briefError } from '../../lib/exchange/dispatcher';
import { generateSm2KeyPair, type Sm2KeyPair } from '../../adapters/sm2';
import { readPackage, safeName, verifyPackage, writePackage, type PackageFile, type Verification } from '../../lib/archive/package';
import { tarOf } from '../../lib/archive/tar';
import { jurisdictionPrefix, principalRef, type StaffPrincipal } from '../auth/principal';
import { seal, unseal } from '../auth/secrets';
import { caseScope } from './access';
import { issueAllDocuments } from './documents';
import { caseHistory } from './history';

/** The department's archive seal key, made on first use (the private key kept sealed with SECRET_KEY). */
export async function archiveKey(db: Db, department: string, secretKey: string): Promise<{ keyId: string; pair: Sm2KeyPair }> {
  const existing = await db('archive_keys').where({ department_code: department }).first<{ key_id: string; public_key: string; private_key_enc: string } | undefined>();
  if (existing) return { keyId: existing.key_id, pair: { publicKey: existing.public_key, privateKey: unseal(secretKey, existing.private_key_enc) } };
  const pair = generateSm2KeyPair();
  const keyId = `${department}-archive-${new Date().getUTCFullYear()}`;
  await db('archive_keys').insert({ department_code: department, key_id: keyId, public_key: pair.publicKey, private_key_enc: seal(secretKey, pair.privateKey) }).onConflict('department_code').ignore();
  // Another writer may have made one at the same moment: the stored one wins.
  return archiveKey(db, department, secretKey);
}

const json = (v: unknown) => Buffer.from(`${JSON.stringify(v, null, 2)}\n`, 'utf8');

interface CaseRow { case_no: string; department_code: string; item_code: string; item_name: string; status: string; completed_at: Date | null }

/** Everything the package holds, read from the read model and the engine's history. */
async function packageFiles(db: Db, client: Client, c: CaseRow): Promise<PackageFile[]> {
  const caseNo = c.case_no;
  const [filing, materials, events, tasks, audit, certificates] = await Promise.all([
    db('case_filings').where({ case_no: caseNo }).first<{ input: unknown; filed_by_kind: string | null; filed_by: string | null; created_at?: Date }>('input', 'filed_by_kind', 'filed_by'),
    db('case_materials').where({ case_no: caseNo }).orderBy(['uploaded_at', 'id']).select<{ id: string; material_name: string; file_name: string; content_type: string; size: number; sha256: string; content: Buffer; uploaded_by: string; uploaded_at: Date }[]>('*'),
    db('case_events').where({ case_no: caseNo }).orderBy(['at', 'seq']).select('seq', 'type', 'at', 'actor', 'payload'),
    db('tasks').where({ case_no: caseNo }).orderBy('created_at').select('id', 'kind', 'step_id', 'step_name', 'department_code', 'role', 'status', 'assignee', 'outcome', 'created_at', 'due_at', 'closed_at'),
    db('audit_log').where({ case_no: caseNo }).orderBy('id').select('id', 'at', 'actor', 'action', 'detail'),
    db('certificates').where({ case_no: caseNo }).select('*'),
  ]);
  const files: PackageFile[] = [{ path: 'application.json', what: '申请信息', content: json({ caseNo, filedBy: { kind: filing?.filed_by_kind ?? null, id: filing?.filed_by ?? null }, application: filing?.input ?? null }) }];
  materials.forEach((m, i) => {
    files.push({ path: `materials/${String(i + 1).padStart(2, '0')}-${safeName(m.file_name)}`, what: `申请材料：${m.material_name}`, content: m.content });
  });
  const scope = await caseScope(db, caseNo);
  if (scope) {
    for (const doc of await issueAllDocuments(db, { scope, handles: true, full: true }, caseNo, 'archive')) {
      files.push({ path: `documents/${doc.kind}.json`, what: `文书：${doc.title} ${doc.number}`, content: json(doc) });
    }
  }
  const { timeline } = await caseHistory(client, caseNo);
  files.push({ path: 'history.json', what: '办理过程', content: json({ caseNo, timeline, events, tasks }) });
  files.push({ path: 'audit.json', what: '审计记录', content: json({ caseNo, entries: audit }) });
  if (certificates.length) files.push({ path: 'certificate.json', what: '电子证照', content: json(certificates.length === 1 ? certificates[0] : certificates) });
  return files;
}

/** Builds, seals and stores one case's package, and registers it. */
export async function archiveCase(db: Db, client: Client, archiveDir: string, secretKey: string, caseNo: string): Promise<{ location: string; files: number }> {
  const c = await db('cases').where({ case_no: caseNo }).first<CaseRow | undefined>('case_no', 'department_code', 'item_code', 'item_name', 'status', 'completed_at');
  if (!c) throw notFound(`case ${caseNo}`);
  const known = await db('archive_packages').where({ case_no: caseNo }).first<{ location: string; files: number } | undefined>('location', 'files');
  if (known) return known;
  const dept = await db('departments').where({ code: c.department_code }).first<{ name: string }>('name');
  const files = await packageFiles(db, client, c);
  const key = await archiveKey(db, c.department_code, secretKey);
  const location = `${safeName(c.department_code)}/${caseNo}`;
  const dir = path.join(archiveDir, ...location.split('/'));
  // A folder left by an attempt that stopped before registering it is not the record yet: written again.
  await fs.rm(dir, { recursive: true, force: true });
  const written = await writePackage(dir, {
    caseNo, department: { code: c.department_code, name: dept.name }, item: { code: c.item_code, name: c.item_name }, archivedAt: new Date().toISOString(),
  }, files, key);
  await db('archive_packages').insert({
    case_no: caseNo, department_code: c.department_code, item_code: c.item_code, location, files: files.length, bytes: written.bytes, manifest_sm3: written.manifestSm3, key_id: key.keyId,
  }).onConflict('case_no').ignore();
  return { location, files: files.length };
}

export interface ArchiveWriterOptions {
  db: Db;
  client: Client;
  archiveDir: string;
  secretKey: string;
  pollMs?: number;
}

/** Writes the packages of the closed cases queued by the projection; several processes share the queue by row locks. */
export class ArchiveWriter {
  private readonly failures = new ThrottledLog(60_000, (line) => console.error(line));
  private readonly loop: PollingLoop;

  constructor(private readonly o: ArchiveWriterOptions) {
    this.loop = new PollingLoop({
      everyMs: o.pollMs ?? 2000,
      tick: () => this.runOnce(),
      onError: (err) => this.failures.report(`[archive] ${briefError(err)}`),
    });
  }

  start(): void {
    this.loop.start();
  }

  /** Stops polling; resolves once the poll under way has ended. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Archives the cases due now (each leased for ten minutes); returns how many were archived. */
  async runOnce(limit = 5): Promise<number> {
    const { db } = this.o;
    const { rows } = await db.raw<{ rows: { case_no: string; attempts: number }[] }>(`
      with due as (select case_no from archive_queue where next_attempt_at <= now() order by queued_at limit ? for update skip locked)
      update archive_queue q set next_attempt_at = now() + interval '10 minutes' from due where q.case_no = due.case_no
      returning q.case_no, q.attempts`, [limit]);
    let done = 0;
    for (const r of rows) {
      if (this.loop.stopped) break;
      try {
        await archiveCase(db, this.o.client, this.o.archiveDir, this.o.secretKey, r.case_no);
        await db('archive_queue').where({ case_no: r.case_no }).delete();
        done += 1;
      } catch (err) {
        const message = briefError(err);
        const delay = Math.min(5_000 * 2 ** r.attempts, 3_600_000);
        await db('archive_queue').where({ case_no: r.case_no }).update({ attempts: r.attempts + 1, last_error: message, next_attempt_at: new Date(Date.now() + delay) });
        this.failures.report(`[archive] case ${r.case_no}: ${message}`);
      }
    }
    return done;
  }
}

export interface ArchivedPackage {
  caseNo: string;
  department: string;
  itemCode: string;
  files: number;
  bytes: number;
  manifestSm3: string;
  keyId: string;
  archivedAt: string;
}

const inJurisdiction = (db: Db, p: StaffPrincipal) => db('departments').where('region_code', 'like', `${jurisdictionPrefix(p)}%`).select('code');

/** The packages of the supervisor's jurisdiction, newest first. */
export async function listPackages(db: Db, p: StaffPrincipal, f: { department?: string; caseNo?: string; limit: number }): Promise<ArchivedPackage[]> {
  const q = db('archive_packages').whereIn('department_code', inJurisdiction(db, p)).orderBy([{ column: 'archived_at', order: 'desc' }, { column: 'case_no', order: 'desc' }]).limit(f.limit)
    .select<{ case_no: string; department_code: string; item_code: string; files: number; bytes: string; manifest_sm3: string; key_id: string; archived_at: Date }[]>('*');
  if (f.department) void q.where('department_code', f.department);
  if (f.caseNo) void q.where('case_no', f.caseNo);
  return (await q).map((r) => ({ caseNo: r.case_no, department: r.department_code, itemCode: r.item_code, files: r.files, bytes: Number(r.bytes), manifestSm3: r.manifest_sm3, keyId: r.key_id, archivedAt: new Date(r.archived_at).toISOString() }));
}

/** The package's folder, if the supervisor's jurisdiction covers it (404 otherwise, its existence not revealed). */
async function packageDir(db: Db, archiveDir: string | undefined, p: StaffPrincipal, caseNo: string): Promise<string> {
  if (!archiveDir) throw new AppError(503, 'archive-unavailable', 'Archive store not configured', 'this API process has no archive store (ARCHIVE_DIR)');
  const row = await db('archive_packages as a').join('departments as d', 'd.code', 'a.department_code').where('a.case_no', caseNo).first<{ location: string; region_code: string } | undefined>('a.location', 'd.region_code');
  if (!row || !row.region_code.startsWith(jurisdictionPrefix(p))) throw notFound(`an archive package of case ${caseNo}`);
  return path.join(archiveDir, ...row.location.split('/'));
}

/** The registered public key of a seal key id. */
export function registeredArchiveKey(db: Db): (keyId: string) => Promise<string | undefined> {
  return async (keyId) => (await db('archive_keys').where({ key_id: keyId }).first<{ public_key: string } | undefined>('public_key'))?.public_key;
}

export async function verifyArchived(db: Db, archiveDir: string | undefined, p: StaffPrincipal, caseNo: string): Promise<Verification> {
  const dir = await packageDir(db, archiveDir, p, caseNo);
  return verifyPackage(dir, registeredArchiveKey(db));
}

/** The package as one tar file; the download is audited. */
export async function downloadPackage(db: Db, archiveDir: string | undefined, p: StaffPrincipal, caseNo: string): Promise<{ fileName: string; content: Buffer }> {
  const dir = await packageDir(db, archiveDir, p, caseNo);
  const files = await readPackage(dir);
  await db('audit_log').insert({ actor: principalRef(p), action: 'archive.download', case_no: caseNo, detail: JSON.stringify({ files: files.length }) });
  return { fileName: `${caseNo}.tar`, content: tarOf(caseNo, files) };
}
