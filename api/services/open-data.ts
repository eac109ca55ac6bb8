/**
 * 政务服务数据开放 (Internet zone, anyone): two datasets without personal data, each as JSON and
 * CSV at a stable URL, with its data dictionary and licence:
 * - `catalogue`: the service guide of every published implementation entry (办事指南);
 * - `statistics/<YYYY-MM>`: per department and per item for one China month, from the monthly
 *   roll-ups the indicators use: received (filed), accepted, completed (decided), on-time rate,
 *   average working days used, satisfaction. Small cells are suppressed: a count of 1 to 4 cases
 *   is not given (JSON null, CSV "<5"), nor a rate or average over fewer than 5 cases.
 */
import type { Db } from '../../lib/db';
import { badRequest } from '../../lib/errors';

export const licence = '本数据依据《政务数据开放共享管理办法》开放，可免费获取、使用和传播，使用时请注明来源“一网通办政务服务平台”；不含个人信息，少于5件的数据已作抑制处理。';
export const publisher = '一网通办政务服务平台';
/** Cells under this many cases are suppressed. */
export const smallCell = 5;

export interface Field {
  name: string;
  title: string;
  type: 'string' | 'integer' | 'number' | 'date-time';
  description: string;
}

export const catalogueFields: Field[] = [
  { name: 'implementationCode', title: '实施清单编码', type: 'string', description: '实施清单（办事指南）的编码' },
  { name: 'name', title: '实施清单名称', type: 'string', description: '事项在本部门实施的名称' },
  { name: 'itemCode', title: '事项编码', type: 'string', description: '政务服务事项的基本编码' },
  { name: 'itemName', title: '事项名称', type: 'string', description: '政务服务事项的名称' },
  { name: 'itemType', title: '事项类型', type: 'string', description: '行政许可、公共服务等' },
  { name: 'department', title: '实施部门编码', type: 'string', description: '实施部门的编码' },
  { name: 'departmentName', title: '实施部门', type: 'string', description: '实施部门的名称' },
  { name: 'level', title: '行使层级', type: 'string', description: 'province 省级、city 市级、county 县级、township 乡镇' },
  { name: 'version', title: '版本', type: 'integer', description: '现行版本号' },
  { name: 'publishedAt', title: '发布时间', type: 'date-time', description: '现行版本发布的时间' },
  { name: 'caseType', title: '办件类型', type: 'string', description: 'instant 即办件、promised 承诺件' },
  { name: 'statutoryLimitDays', title: '法定办结时限（工作日）', type: 'integer', description: '法律规定的办结时限' },
  { name: 'promisedLimitDays', title: '承诺办结时限（工作日）', type: 'integer', description: '本部门承诺的办结时限' },
  { name: 'feeFen', title: '收费金额（分）', type: 'integer', description: '不收费为0' },
  { name: 'materials', title: '申请材料', type: 'string', description: '所需材料，以“；”分隔，必需材料标注（必需）' },
  { name: 'windows', title: '办理窗口', type: 'string', description: '窗口名称与地址，以“；”分隔' },
];

export const statisticsFields: Field[] = [
  { name: 'month', title: '统计月份', type: 'string', description: 'YYYY-MM（北京时间）' },
  { name: 'grouping', title: '统计维度', type: 'string', description: 'department 按部门、item 按事项' },
  { name: 'code', title: '编码', type: 'string', description: '部门编码或事项编码' },
  { name: 'name', title: '名称', type: 'string', description: '部门名称或事项名称' },
  { name: 'received', title: '收件数', type: 'integer', description: '当月申请的办件数；1至4件不公开' },
  { name: 'accepted', title: '受理数', type: 'integer', description: '当月受理的办件数；1至4件不公开' },
  { name: 'completed', title: '办结数', type: 'integer', description: '当月作出决定的办件数；1至4件不公开' },
  { name: 'onTimeRate', title: '按时办结率', type: 'number', description: '承诺时限内办结数÷办结数，0至1；办结少于5件不公开' },
  { name: 'averageWorkingDays', title: '平均办理用时（工作日）', type: 'number', description: '办结件所用工作日的平均数；办结少于5件不公开' },
  { name: 'satisfaction', title: '满意率', type: 'number', description: '好评（4至5星）数÷评价数，0至1；评价少于5件不公开' },
];

const monthPattern = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function monthParam(raw: string): string {
  if (!monthPattern.test(raw)) throw badRequest('a month is YYYY-MM');
  return raw;
}

/** The datasets with their URLs (under /api), dictionaries and the licence. */
export function openDataIndex(months: string[]) {
  return {
    publisher,
    licence,
    datasets: [
      { id: 'catalogue', title: '政务服务事项办事指南', description: '每个已发布实施清单的办事指南', formats: ['json', 'csv'], urls: { json: '/api/open-data/catalogue?format=json', csv: '/api/open-data/catalogue?format=csv' }, fields: catalogueFields },
      {
        id: 'statistics', title: '政务服务办件月度统计', description: `按部门、按事项的月度办件统计；少于${smallCell}件的数据不公开`, formats: ['json', 'csv'],
        urls: { json: '/api/open-data/statistics/{month}?format=json', csv: '/api/open-data/statistics/{month}?format=csv' }, months, fields: statisticsFields,
      },
    ],
  };
}

/** The months the roll-ups hold, newest first. */
export async function statisticsMonths(db: Db): Promise<string[]> {
  const rows = await db('case_rollups').where({ span: 'month' }).distinct('day').orderBy('day', 'desc').limit(120).select<{ day: Date | string }[]>();
  return rows.map((r) => (typeof r.day === 'string' ? r.day : new Date(r.day.getTime() - r.day.getTimezoneOffset() * 60_000).toISOString()).slice(0, 7));
}

interface EntryRow {
  code: string; name: string; item_code: string; item_name: string; item_type: string; department: string; department_name: string; level: string; version: number; published_at: Date | null;
  entry: { caseType?: string; statutoryLimitDays?: number; promisedLimitDays?: number; fee?: { charged: boolean; amountFen?: number }; materials?: { name: string; required?: boolean }[]; windows?: { name: string; address: string }[] };
}

/** The published guides, one row per entry, as the dictionary lists them. */
export async function catalogueDataset(db: Db): Promise<Record<string, unknown>[]> {
  const rows = await db('implementation_versions as v')
    .join('implementations as i', 'i.code', 'v.implementation_code')
    .join('service_items as s', 's.code', 'i.item_code')
    .join('departments as d', 'd.code', 'i.department_code')
    .where('v.state', 'published').orderBy('i.code')
    .select<EntryRow[]>('i.code', 'i.name', 'i.item_code', 's.name as item_name', 's.type as item_type', 'i.department_code as department', 'd.name as department_name', 'd.level', 'v.version', 'v.published_at', 'v.entry');
  return rows.map((r) => ({
    implementationCode: r.code, name: r.name, itemCode: r.item_code, itemName: r.item_name, itemType: r.item_type, department: r.department, departmentName: r.department_name, level: r.level,
    version: r.version, publishedAt: r.published_at ? new Date(r.published_at).toISOString() : null,
    caseType: r.entry.caseType ?? null, statutoryLimitDays: r.entry.statutoryLimitDays ?? null, promisedLimitDays: r.entry.promisedLimitDays ?? null,
    feeFen: r.entry.fee?.charged ? r.entry.fee.amountFen ?? 0 : 0,
    materials: (r.entry.materials ?? []).map((m) => `${m.name}${m.required ? '（必需）' : ''}`).join('；'),
    windows: (r.entry.windows ?? []).map((w) => `${w.name} ${w.address}`).join('；'),
  }));
}

const count = (n: number): number | null => (n > 0 && n < smallCell ? null : n);
const ratio = (a: number, b: number, digits = 4): number | null => (b < smallCell ? null : Math.round((a / b) * 10 ** digits) / 10 ** digits);

/** One month's statistics per department and per item, small cells suppressed. */
export async function statisticsDataset(db: Db, month: string): Promise<Record<string, unknown>[]> {
  const rows = await db('case_rollups as r')
    .leftJoin('departments as d', function () { this.on('d.code', '=', 'r.key').andOnVal('r.grouping', '=', 'department'); })
    .leftJoin('service_items as s', function () { this.on('s.code', '=', 'r.key').andOnVal('r.grouping', '=', 'item'); })
    .where({ 'r.span': 'month', 'r.day': `${month}-01` })
    .orderBy(['r.grouping', 'r.key'])
    .select<{ grouping: string; key: string; name: string | null; received: number; accepted: number; completed: number; on_time: number; used_days: number; ratings: number; satisfied: number }[]>(
      'r.grouping', 'r.key', db.raw('coalesce(d.name, s.name) as name'), 'r.received', 'r.accepted', 'r.completed', 'r.on_time', 'r.used_days', 'r.ratings', 'r.satisfied');
  return rows
    .filter((r) => r.received + r.accepted + r.completed + r.ratings > 0)
    .map((r) => ({
      month, grouping: r.grouping, code: r.key, name: r.name ?? r.key,
      received: count(r.received), accepted: count(r.accepted), completed: count(r.completed),
      onTimeRate: ratio(r.on_time, r.completed), averageWorkingDays: ratio(r.used_days, r.completed, 2), satisfaction: ratio(r.satisfied, r.ratings),
    }));
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/**
 * CSV (UTF-8 with a byte-order mark, so spreadsheet programs read the Chinese): a header of the
 * fields' Chinese titles, the rows, suppressed cells as "<5"; the licence is in the
 * Link header and the index, not in the file, so the file stays plain CSV.
 */
export function toCsv(fields: Field[], rows: Record<string, unknown>[], suppressible: string[] = []): string {
  const lines = [fields.map((f) => csvCell(f.title)).join(',')];
  for (const r of rows) lines.push(fields.map((f) => (r[f.name] === null && suppressible.includes(f.name) ? `<${smallCell}` : csvCell(r[f.name]))).join(','));
  return `\ufeff${lines.join('\r\n')}\r\n`;
}

export const suppressibleFields = ['received', 'accepted', 'completed', 'onTimeRate', 'averageWorkingDays', 'satisfaction'];
