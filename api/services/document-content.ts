/**
 * The words of each document (文书), in one place: the web page (web/src/pages/documents.tsx)
 * and the PDF (api/services/document-pdf.ts) both lay out these blocks and add no text of their
 * own beyond the header (issuer, title, number) and the signature area, which come from here too.
 * Dates are written as on paper, in China time (2026年9月18日).
 */
import type { DocumentView } from './documents';

/** The case's facts a document quotes: its view without the words. */
type Facts = Omit<DocumentView, 'content'>;

/** A run of text in a paragraph; the addressee is underlined and the item's name stands out. */
export interface Span { text: string; strong?: boolean; underline?: boolean }
/** One row of a document's table; `signLine` leaves the value blank for a handwritten signature. */
export interface TableRow { label: string; value: string; signLine?: boolean }

export type Block =
  | { kind: 'paragraph'; spans: Span[]; indent?: boolean; small?: boolean }
  | { kind: 'heading'; text: string }
  | { kind: 'list'; items: string[] }
  | { kind: 'reasons'; text: string }
  | { kind: 'table'; rows: TableRow[] };

export interface DocumentContent {
  /** 办件编号：… under the number. */
  caseLine: string;
  blocks: Block[];
  /** The words of the seal area: a place for the seal, not a seal. */
  sealText: string;
  /** The date of issue as printed beside the issuer. */
  issuedOn: string;
}

const china = (options: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', ...options });
const dayFormat = china({ year: 'numeric', month: 'long', day: 'numeric' });
const timeFormat = china({ year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });

/** 2026年9月18日, or — when there is no date. */
export function paperDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dayFormat.format(d);
}

/** 2026/09/18 14:05, or — when there is no time. */
export function paperTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : timeFormat.format(d);
}

/** A deadline is stored as the instant its last day ends (24:00 China time): print that last day. */
export function paperDeadline(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return paperTime(iso).endsWith('00:00') ? paperDate(new Date(d.getTime() - 1).toISOString()) : paperDate(iso);
}

const deliveryNames: Record<string, string> = { window: '窗口领取', courier: '邮寄送达', kiosk: '自助终端' };

const remedy = (v: Facts) => `如不服本决定，可以自收到本${v.kind === 'reject' ? '通知书' : '决定书'}之日起六十日内依法申请行政复议，或者自知道或应当知道作出本决定之日起六个月内依法向人民法院提起行政诉讼。`;

const p = (text: string | Span[], options: { indent?: boolean; small?: boolean } = { indent: true }): Block =>
  ({ kind: 'paragraph', spans: typeof text === 'string' ? [{ text }] : text, ...(options.indent ? { indent: true } : {}), ...(options.small ? { small: true } : {}) });

function bodyBlocks(v: Facts): Block[] {
  const to = p([{ text: v.applicant.name, underline: true }, { text: '：' }], {});
  const filed = (after: string): Block => p([{ text: `你（单位）于 ${paperDate(v.filedAt)} 提出的` }, { text: v.itemName, strong: true }, { text: `申请${after}` }]);
  switch (v.kind) {
    case 'receipt': {
      const uploaded = v.uploaded ?? [];
      return [
        p('本机关已收到你（单位）的申请，登记如下。凭办件编号可在网上办事大厅查询办理进度。本回执不代表申请已被受理，受理与否将于五个工作日内告知。'),
        { kind: 'table', rows: [
          { label: '申请事项', value: v.itemName },
          { label: '申请人', value: `${v.applicant.name}（${v.applicant.idNumber}）` },
          { label: '申报方式', value: v.channel === 'window' ? '窗口申报' : '网上申报' },
          { label: '申报时间', value: paperTime(v.filedAt) },
          { label: '办结时限', value: `承诺 ${v.promisedLimitDays ?? 0} 个工作日，法定 ${v.statutoryLimitDays ?? 0} 个工作日（自受理之日起）` },
        ] },
        { kind: 'heading', text: '收取材料' },
        { kind: 'list', items: (v.materials ?? []).map((m) => `${m.name}${m.required ? '' : '（按需提交）'}`) },
        ...(uploaded.length > 0 ? [p(`已上传电子件：${uploaded.map((u) => `${u.materialName}（${u.fileName}）`).join('；')}`, {})] : []),
      ];
    }
    case 'accept':
      return [
        to,
        filed('，经审查，申请材料齐全、符合法定形式，根据《中华人民共和国行政许可法》第三十二条的规定，决定予以受理。'),
        p(`本机关将于受理之日起 ${v.promisedLimitDays ?? 0} 个工作日内（承诺时限；法定时限 ${v.statutoryLimitDays ?? 0} 个工作日）作出决定，承诺办结日期为 ${paperDeadline(v.promisedDeadline)}。依法需要听证、检验、检测、鉴定和专家评审的，所需时间不计算在上述期限内。`),
      ];
    case 'correction':
      return [
        to,
        filed('，经审查，申请材料不齐全或者不符合法定形式。根据《中华人民共和国行政许可法》第三十二条的规定，现一次性告知需要补正的全部内容：'),
        { kind: 'list', items: v.problems ?? [] },
        p(`请于 ${paperDeadline(v.replyBy)} 前补正。逾期未补正的，视为撤回申请。补正材料齐全后，本机关将重新审查。`),
      ];
    case 'reject':
      return [to, filed('，经审查，决定不予受理。理由如下：'), { kind: 'reasons', text: v.reasons ?? '' }, p(remedy(v))];
    case 'approval':
      return [
        to,
        filed(`，本机关于 ${paperDate(v.acceptedAt)} 受理。经审查，你（单位）的申请符合法定条件、标准，根据《中华人民共和国行政许可法》第三十八条第一款的规定，决定准予行政许可。`),
        ...(v.decision?.opinion ? [p(`审查意见：${v.decision.opinion}`)] : []),
        p('本机关将自作出本决定之日起十日内向你（单位）颁发、送达行政许可证件（《中华人民共和国行政许可法》第四十四条）。'),
      ];
    case 'refusal':
      return [
        to,
        filed(`，本机关于 ${paperDate(v.acceptedAt)} 受理。经审查，你（单位）的申请不符合法定条件、标准，根据《中华人民共和国行政许可法》第三十八条第二款的规定，决定不予行政许可。理由如下：`),
        { kind: 'reasons', text: v.reasons ?? '' },
        p(remedy(v)),
      ];
    case 'service':
      return [{ kind: 'table', rows: [
        { label: '送达文书', value: `${v.served?.title ?? ''}${v.served?.number ? `（${v.served.number}）` : ''}${v.certificateNo ? `；电子证照 ${v.certificateNo}` : ''}` },
        { label: '受送达人', value: v.applicant.name },
        { label: '送达方式', value: `${deliveryNames[v.delivery?.method ?? ''] ?? '送达'}${v.delivery?.waybillNo ? `（运单号 ${v.delivery.waybillNo}）` : ''}` },
        { label: '送达地点', value: v.delivery?.method === 'courier' ? '受送达人指定地址' : (v.window?.name ?? '办理窗口') },
        { label: '送达时间', value: v.delivery?.at ? paperTime(v.delivery.at) : '　　年　　月　　日　　时' },
        { label: '受送达人签名', value: '', signLine: true },
        { label: '送达人签名', value: '', signLine: true },
        { label: '备注', value: '受送达人拒绝签收的，送达人应注明情况。' },
      ] }];
  }
}

/** What the document says, block by block, from its view (the case's facts and its number). */
export function documentContent(v: Facts): DocumentContent {
  const blocks = bodyBlocks(v);
  if (v.window) blocks.push(p(`办理窗口：${v.window.name}，地址：${v.window.address}，电话：${v.window.phone ?? '—'}。监督电话：${v.supervisionPhone ?? '12345'}。`, { small: true }));
  return { caseLine: `办件编号：${v.caseNo}`, blocks, sealText: '（印章）', issuedOn: paperDate(v.issuedAt) };
}
