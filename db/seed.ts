/**
 * The sample catalogue loaded by `npm start` and the tests: a few departments across the four
 * administrative levels, staff for the window and the review, and one published one-step item.
 * Idempotent: rows that exist are left alone.
 */
import type { Db } from '../lib/db';

export const sampleDepartments = [
  { code: 'zj-zwfw', name: '浙江省政务服务管理办公室', level: 'province', parent_code: null, region_code: '330000' },
  { code: 'hz-scjg', name: '杭州市市场监督管理局', level: 'city', parent_code: 'zj-zwfw', region_code: '330100' },
  { code: 'xh-scjg', name: '杭州市西湖区市场监督管理局', level: 'county', parent_code: 'hz-scjg', region_code: '330106' },
  { code: 'xh-zwfw', name: '杭州市西湖区政务服务中心', level: 'county', parent_code: 'hz-scjg', region_code: '330106' },
  { code: 'xh-wenxin', name: '西湖区文新街道便民服务中心', level: 'township', parent_code: 'xh-zwfw', region_code: '330106' },
] as const;

export const sampleStaff = [
  { id: 'clerk-wang', name: '王丽', department_code: 'xh-zwfw', roles: ['clerk'] },
  { id: 'approver-li', name: '李强', department_code: 'xh-scjg', roles: ['approver'] },
  { id: 'approver-chen', name: '陈静', department_code: 'hz-scjg', roles: ['approver'] },
  { id: 'supervisor-zhao', name: '赵敏', department_code: 'zj-zwfw', roles: ['supervisor'] },
];

/** The one-step item of the foundation slice: 个体工商户设立登记, reviewed by one approver. */
export const individualBusinessRegistration = {
  item: { code: 'XK-330106-SC-001', name: '个体工商户设立登记', type: '行政许可', legal_basis: '《促进个体工商户发展条例》第八条；《市场主体登记管理条例》' },
  implementation: { code: 'xh-scjg-gtgsh-sl', item_code: 'XK-330106-SC-001', department_code: 'xh-scjg', name: '个体工商户设立登记（西湖区）' },
  version: {
    version: 1,
    entry: {
      caseType: 'promised',
      statutoryLimitDays: 15,
      promisedLimitDays: 3,
      form: { key: 'individual-business-registration', version: 1 },
      evaluationWindowDays: 30,
      process: {
        steps: [
          { type: 'task', id: 'review', name: '审核', department: 'xh-scjg', role: 'approver', actions: ['approve', 'refuse'] },
        ],
      },
    },
  },
};

export async function seedSampleCatalogue(db: Db): Promise<void> {
  await db.transaction(async (trx) => {
    // Parents first, so the hierarchy's foreign keys hold.
    for (const d of sampleDepartments) await trx('departments').insert(d).onConflict('code').ignore();
    for (const s of sampleStaff) await trx('staff_users').insert(s).onConflict('id').ignore();
    const s = individualBusinessRegistration;
    await trx('service_items').insert(s.item).onConflict('code').ignore();
    await trx('implementations').insert(s.implementation).onConflict('code').ignore();
    await trx('implementation_versions')
      .insert({
        implementation_code: s.implementation.code,
        version: s.version.version,
        state: 'published',
        entry: JSON.stringify(s.version.entry),
        published_at: trx.fn.now(),
      })
      .onConflict(['implementation_code', 'version'])
      .ignore();
  });
}
