/**
 * The sample catalogue loaded by `npm start` and the tests: departments across the four
 * administrative levels, roles and staff, the official working-day calendars of db/calendar/,
 * and the sample entries of db/sample-catalogue/.
 * Idempotent: rows that exist are left alone.
 */
import { hashPassword } from '../api/auth/secrets';
import fs from 'node:fs';
import path from 'node:path';
import type { ImplementationDocument } from '../lib/catalogue/document';
import { validateDocument } from '../lib/catalogue/document';
import { loadContext } from '../lib/catalogue/store';
import { officialYears } from '../lib/calendar/official';
import type { Db } from '../lib/db';
import { listFormFolders, readFormFolder } from '../lib/forms';
import { applyHallConfig, checkHallConfig, hallConfigs } from '../lib/hall/config';

export const sampleDepartments = [
  { code: 'zj-zwfw', name: '浙江省政务服务管理办公室', level: 'province', parent_code: null, region_code: '330000' },
  { code: 'hz-zwfw', name: '杭州市民中心政务服务大厅', level: 'city', parent_code: 'zj-zwfw', region_code: '330100' },
  { code: 'zj-bianban', name: '中共浙江省委机构编制委员会办公室', level: 'province', parent_code: null, region_code: '330000' },
  { code: 'zj-sfj', name: '浙江省司法厅', level: 'province', parent_code: null, region_code: '330000' },
  { code: 'zj-jwjw', name: '浙江省纪委监委', level: 'province', parent_code: null, region_code: '330000' },
  { code: 'hz-scjg', name: '杭州市市场监督管理局', level: 'city', parent_code: 'zj-zwfw', region_code: '330100' },
  { code: 'hz-jtys', name: '杭州市交通运输局', level: 'city', parent_code: 'zj-zwfw', region_code: '330100' },
  { code: 'xh-zwfw', name: '杭州市西湖区政务服务中心', level: 'county', parent_code: 'hz-scjg', region_code: '330106' },
  { code: 'xh-scjg', name: '杭州市西湖区市场监督管理局', level: 'county', parent_code: 'hz-scjg', region_code: '330106' },
  { code: 'xh-zjj', name: '杭州市西湖区住房和城乡建设局', level: 'county', parent_code: 'xh-zwfw', region_code: '330106' },
  { code: 'xh-zrzy', name: '杭州市规划和自然资源局西湖分局', level: 'county', parent_code: 'xh-zwfw', region_code: '330106' },
  { code: 'xh-cgj', name: '杭州市西湖区城市管理局', level: 'county', parent_code: 'xh-zwfw', region_code: '330106' },
  { code: 'xh-wjj', name: '杭州市西湖区卫生健康局', level: 'county', parent_code: 'xh-zwfw', region_code: '330106' },
  { code: 'xh-mzj', name: '杭州市西湖区民政局', level: 'county', parent_code: 'xh-zwfw', region_code: '330106' },
  { code: 'xh-rsj', name: '杭州市西湖区人力资源和社会保障局', level: 'county', parent_code: 'xh-zwfw', region_code: '330106' },
  { code: 'xh-gaj', name: '杭州市公安局西湖区分局', level: 'county', parent_code: 'xh-zwfw', region_code: '330106' },
  { code: 'xh-wenxin', name: '西湖区文新街道办事处', level: 'township', parent_code: 'xh-zwfw', region_code: '330106' },
] as const;

/** The hall whose comprehensive window (综合窗口) pre-checks each department's cases. */
export const sampleHalls: Record<string, string> = {
  'zj-zwfw': 'zj-zwfw', 'zj-bianban': 'zj-zwfw', 'zj-sfj': 'zj-zwfw', 'zj-jwjw': 'zj-zwfw',
  'hz-zwfw': 'hz-zwfw', 'hz-scjg': 'hz-zwfw', 'hz-jtys': 'hz-zwfw',
  'xh-zwfw': 'xh-zwfw', 'xh-scjg': 'xh-zwfw', 'xh-zjj': 'xh-zwfw', 'xh-zrzy': 'xh-zwfw', 'xh-cgj': 'xh-zwfw',
  'xh-wjj': 'xh-zwfw', 'xh-mzj': 'xh-zwfw', 'xh-rsj': 'xh-zwfw', 'xh-gaj': 'xh-zwfw',
  'xh-wenxin': 'xh-wenxin',
};

/** Staff roles; a task names one, a staff member holds several. */
export const sampleRoles = [
  { code: 'clerk', name: '综合窗口受理员' },
  { code: 'approver', name: '承办人' },
  { code: 'reviewer', name: '审核人' },
  { code: 'head', name: '审批负责人' },
  { code: 'inspector', name: '现场核查员' },
  { code: 'caseworker', name: '社会救助经办人' },
  { code: 'supervisor', name: '电子监察员' },
  { code: 'catalogue-admin', name: '事项管理员' },
  { code: 'classification-reviewer', name: '编办事项审核员' },
  { code: 'legal-reviewer', name: '合法性审核员' },
  { code: 'integrity-reviewer', name: '廉政风险审核员' },
  { code: 'platform-admin', name: '平台管理员' },
  { code: 'kiosk', name: '自助服务终端' },
] as const;

const roleNames: Record<string, string> = { approver: '承办人', reviewer: '审核人', head: '负责人', inspector: '核查员' };

export const sampleStaff = [
  { id: 'clerk-wang', name: '王丽', department_code: 'xh-zwfw', roles: ['clerk'] },
  { id: 'approver-li', name: '李强', department_code: 'xh-scjg', roles: ['approver'] },
  { id: 'reviewer-sun', name: '孙伟', department_code: 'xh-scjg', roles: ['reviewer', 'inspector'] },
  { id: 'head-zhou', name: '周敏', department_code: 'xh-scjg', roles: ['head'] },
  { id: 'approver-chen', name: '陈静', department_code: 'hz-scjg', roles: ['approver'] },
  { id: 'supervisor-zhao', name: '赵敏', department_code: 'zj-zwfw', roles: ['supervisor'] },
  { id: 'admin-qian', name: '钱进', department_code: 'zj-zwfw', roles: ['catalogue-admin'] },
  { id: 'ops-jiang', name: '蒋平', department_code: 'zj-zwfw', roles: ['platform-admin'] },
  { id: 'bianban-wu', name: '吴刚', department_code: 'zj-bianban', roles: ['classification-reviewer'] },
  { id: 'fazhi-zheng', name: '郑洁', department_code: 'zj-sfj', roles: ['legal-reviewer'] },
  { id: 'jiancha-feng', name: '冯涛', department_code: 'zj-jwjw', roles: ['integrity-reviewer'] },
  { id: 'clerk-he', name: '何芳', department_code: 'hz-zwfw', roles: ['clerk'] },
  { id: 'clerk-liu', name: '刘洋', department_code: 'xh-wenxin', roles: ['clerk', 'caseworker'] },
  { id: 'head-xu', name: '徐明', department_code: 'xh-wenxin', roles: ['head'] },
  // A self-service kiosk of the 西湖区 hall signs in as its own account: it may issue tickets, show a case's progress and hand over certificates there.
  { id: 'kiosk-xh-1', name: '西湖区政务服务中心1号自助终端', department_code: 'xh-zwfw', roles: ['kiosk'] },
  ...[
    ['hz-jtys', ['approver', 'head'], '交通'], ['xh-cgj', ['reviewer', 'inspector', 'head'], '城管'], ['xh-gaj', ['reviewer', 'approver', 'head'], '公安'],
    ['xh-mzj', ['head', 'approver'], '民政'], ['xh-rsj', ['approver', 'head'], '人社'], ['xh-wjj', ['reviewer', 'inspector', 'head'], '卫健'],
    ['xh-zjj', ['reviewer', 'head'], '住建'], ['xh-zrzy', ['reviewer', 'head'], '规资'],
  ].flatMap(([dept, roles, short]) => (roles as string[]).map((role) => ({
    id: `${dept as string}-${role}`, name: `${short as string}${roleNames[role]}`, department_code: dept as string, roles: [role],
  }))),
];

const sampleDir = path.join(__dirname, 'sample-catalogue');

/** The sample implementation documents (db/sample-catalogue/*.json), in file order. */
export function sampleDocuments(): ImplementationDocument[] {
  return fs.readdirSync(sampleDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(sampleDir, f), 'utf8')) as ImplementationDocument);
}

/** A sample document with its form content from the repo's form folder, as an import carries it. */
export function withFormContent(doc: ImplementationDocument): ImplementationDocument {
  return { ...doc, form: { ...doc.form, ...readFormFolder(doc.form) } };
}

/**
 * Loads departments, roles, staff, every form folder, and each sample entry as a published
 * version 1 (the initial load; later changes go through review). Invalid samples stop the seed.
 */
export async function seedSampleCatalogue(db: Db, o: { staffPassword?: string } = {}): Promise<void> {
  // Demo staff share one password (DEMO_STAFF_PASSWORD), hashed once; it is set only
  // where no password is set yet, so a password changed later is kept.
  const passwordHash = o.staffPassword ? await hashPassword(o.staffPassword) : null;
  await db.transaction(async (trx) => {
    // Parents first, so the hierarchy's foreign keys hold.
    for (const d of sampleDepartments) await trx('departments').insert(d).onConflict('code').ignore();
    for (const [code, hall] of Object.entries(sampleHalls)) await trx('departments').where({ code }).whereNull('hall_code').update({ hall_code: hall });
    for (const r of sampleRoles) await trx('roles').insert(r).onConflict('code').ignore();
    for (const s of sampleStaff) await trx('staff_users').insert(s).onConflict('id').ignore();
    // A shared demo password is known to everyone who read the README: each account must change it at its first sign-in.
    if (passwordHash) await trx('staff_users').whereIn('id', sampleStaff.map((s) => s.id)).whereNull('password_hash').update({ password_hash: passwordHash, must_change_password: true });
    for (const ref of listFormFolders()) {
      const f = readFormFolder(ref);
      await trx('forms')
        .insert({ key: ref.key, version: ref.version, schema: JSON.stringify(f.schema), uischema: JSON.stringify(f.uischema), example: JSON.stringify(f.example) })
        .onConflict(['key', 'version'])
        .ignore();
    }
    for (const y of officialYears()) {
      const held = await trx('calendar_years').where({ year: y.year }).first<{ year: number } | undefined>('year');
      if (held) continue; // an administrator's corrections win over the shipped arrangement
      await trx('calendar_years').insert({ year: y.year, source: y.source, updated_by: 'seed' });
      await trx('calendar_days').insert(y.days.map((d) => ({ date: d.date, year: y.year, kind: d.kind, name: d.name })));
    }
    const ctx = await loadContext(trx);
    for (const doc of sampleDocuments()) {
      const problems = await validateDocument(withFormContent(doc), ctx);
      if (problems.length) throw new Error(`sample ${doc.implementation.code} is invalid: ${problems.map((p) => `${p.pointer} ${p.detail}`).join('; ')}`);
      await trx('service_items').insert({ code: doc.item.code, name: doc.item.name, type: doc.item.type, legal_basis: doc.item.legalBasis }).onConflict('code').ignore();
      await trx('implementations').insert({ code: doc.implementation.code, item_code: doc.item.code, department_code: doc.implementation.department, name: doc.implementation.name }).onConflict('code').ignore();
      const existing = await trx('implementation_versions').where({ implementation_code: doc.implementation.code }).first<{ version: number } | undefined>('version');
      if (!existing) {
        await trx('implementation_versions').insert({
          implementation_code: doc.implementation.code, version: 1, state: 'published', entry: JSON.stringify(doc.entry), published_at: trx.fn.now(), created_by: 'seed',
        });
      }
    }
    // The service halls (db/halls/): applied at every start, so an edited file takes effect (a wrong file stops the start;
    // an entry of it the catalogue no longer publishes is no reason to, see lib/hall/config.ts).
    for (const hall of hallConfigs()) {
      const problems = await checkHallConfig(trx, hall);
      if (problems.length) throw new Error(`hall ${hall.code} is misconfigured: ${problems.join('; ')}`);
      await applyHallConfig(trx, hall);
    }
  });
}
