/**
 * The documents of a case on A4 (文书): 收件回执, 受理通知书, 补正材料告知书, 不予受理通知书,
 * 准予行政许可决定书, 不予行政许可决定书 and 送达回证. The API numbers each one on first issue and
 * gives its content from the case's record; this page lays it out for print. PDF: the browser's
 * print dialog, "另存为 PDF" (the print stylesheet keeps the issuer, the seal area and the date).
 */
import { useEffect } from 'react';
import { post } from '../api';
import type { DocumentView } from '../types';
import { fmtDate, fmtDeadline, fmtTime, useI18n } from '../i18n';
import { deliveryName } from '../names';
import { ErrorBanner, Spinner, useLoad } from '../ui/kit';

/** Older links (#/notice/…) used these names. */
const kindAliases: Record<string, string> = { acceptance: 'accept' };

/** The documents a case may have, in the order a case meets them, with the link text. */
export const documentLinks: [string, string, string][] = [
  ['receipt', '收件回执', 'Filing receipt'], ['accept', '受理通知书', 'Acceptance notice'], ['correction', '补正材料告知书', 'Correction notice'],
  ['reject', '不予受理通知书', 'Refusal to accept'], ['approval', '准予行政许可决定书', 'Approval decision'], ['refusal', '不予行政许可决定书', 'Refusal decision'],
  ['service', '送达回证', 'Proof of service'],
];

const remedy = (v: DocumentView) => `如不服本决定，可以自收到本${v.kind === 'reject' ? '通知书' : '决定书'}之日起六十日内依法申请行政复议，或者自知道或应当知道作出本决定之日起六个月内依法向人民法院提起行政诉讼。`;

export function DocumentPage({ kind: rawKind, caseNo, back }: { kind: string; caseNo: string; back: string }) {
  const { t } = useI18n();
  const kind = kindAliases[rawKind] ?? rawKind;
  const doc = useLoad((signal) => post<DocumentView>(`/api/cases/${caseNo}/documents/${encodeURIComponent(kind)}`, undefined, { signal }), [caseNo, kind]);
  const v = doc.data;
  // The PDF saved from the print dialog is named after the document.
  useEffect(() => {
    if (!v) return undefined;
    const before = document.title;
    document.title = `${v.title} ${v.number}`;
    return () => { document.title = before; };
  }, [v]);
  if (doc.loading && !v) return <div className="page"><h1>{t('文书', 'Document')}</h1><Spinner /></div>;
  if (!v) return <div className="page"><h1>{t('文书', 'Document')}</h1><ErrorBanner error={doc.error} onRetry={doc.reload} /><p><a href={back}>← {t('返回', 'Back')}</a></p></div>;
  const to = <><u>{v.applicant.name}</u>：</>;
  const filed = <>你（单位）于 {fmtDate(v.filedAt)} 提出的<strong>{v.itemName}</strong>申请</>;
  return (
    <div className="notice-page">
      <div className="no-print actions-bar">
        <a href={back}>← {t('返回', 'Back')}</a>
        <button type="button" className="btn-primary" onClick={() => window.print()}>{t('打印', 'Print')}</button>
        <button type="button" onClick={() => window.print()}>{t('下载 PDF', 'Download PDF')}</button>
        <span className="muted small">{t('下载 PDF：在打印对话框中选择“另存为 PDF”。', 'PDF: choose "Save as PDF" in the print dialog.')}</span>
      </div>
      <article className="paper" lang="zh-CN" data-kind={v.kind}>
        <header>
          <p className="paper-org">{v.issuer.name}</p>
          <h1>{v.title}</h1>
          <p className="paper-no">{v.number}</p>
          <p className="paper-no">办件编号：{v.caseNo}</p>
        </header>
        {v.kind === 'receipt' && (
          <>
            <p className="indent">本机关已收到你（单位）的申请，登记如下。凭办件编号可在网上办事大厅查询办理进度。本回执不代表申请已被受理，受理与否将于五个工作日内告知。</p>
            <table className="paper-table">
              <tbody>
                <tr><th scope="row">申请事项</th><td>{v.itemName}</td></tr>
                <tr><th scope="row">申请人</th><td>{v.applicant.name}（{v.applicant.idNumber}）</td></tr>
                <tr><th scope="row">申报方式</th><td>{v.channel === 'window' ? '窗口申报' : '网上申报'}</td></tr>
                <tr><th scope="row">申报时间</th><td>{fmtTime(v.filedAt)}</td></tr>
                <tr><th scope="row">办结时限</th><td>承诺 {v.promisedLimitDays ?? 0} 个工作日，法定 {v.statutoryLimitDays ?? 0} 个工作日（自受理之日起）</td></tr>
              </tbody>
            </table>
            <h2 className="paper-h2">收取材料</h2>
            <ol>{(v.materials ?? []).map((m) => <li key={m.name}>{m.name}{m.required ? '' : '（按需提交）'}</li>)}</ol>
            {(v.uploaded ?? []).length > 0 && <p>已上传电子件：{v.uploaded?.map((u) => `${u.materialName}（${u.fileName}）`).join('；')}</p>}
          </>
        )}
        {v.kind === 'accept' && (
          <>
            <p>{to}</p>
            <p className="indent">{filed}，经审查，申请材料齐全、符合法定形式，根据《中华人民共和国行政许可法》第三十二条的规定，决定予以受理。</p>
            <p className="indent">本机关将于受理之日起 {v.promisedLimitDays ?? 0} 个工作日内（承诺时限；法定时限 {v.statutoryLimitDays ?? 0} 个工作日）作出决定，承诺办结日期为 {fmtDeadline(v.promisedDeadline, false)}。依法需要听证、检验、检测、鉴定和专家评审的，所需时间不计算在上述期限内。</p>
          </>
        )}
        {v.kind === 'correction' && (
          <>
            <p>{to}</p>
            <p className="indent">{filed}，经审查，申请材料不齐全或者不符合法定形式。根据《中华人民共和国行政许可法》第三十二条的规定，现一次性告知需要补正的全部内容：</p>
            <ol>{(v.problems ?? []).map((p, i) => <li key={i}>{p}</li>)}</ol>
            <p className="indent">请于 {fmtDeadline(v.replyBy, false)} 前补正。逾期未补正的，视为撤回申请。补正材料齐全后，本机关将重新审查。</p>
          </>
        )}
        {v.kind === 'reject' && (
          <>
            <p>{to}</p>
            <p className="indent">{filed}，经审查，决定不予受理。理由如下：</p>
            <blockquote className="reasons">{v.reasons}</blockquote>
            <p className="indent">{remedy(v)}</p>
          </>
        )}
        {v.kind === 'approval' && (
          <>
            <p>{to}</p>
            <p className="indent">{filed}，本机关于 {fmtDate(v.acceptedAt)} 受理。经审查，你（单位）的申请符合法定条件、标准，根据《中华人民共和国行政许可法》第三十八条第一款的规定，决定准予行政许可。</p>
            {v.decision?.opinion && <p className="indent">审查意见：{v.decision.opinion}</p>}
            <p className="indent">本机关将自作出本决定之日起十日内向你（单位）颁发、送达行政许可证件（《中华人民共和国行政许可法》第四十四条）。</p>
          </>
        )}
        {v.kind === 'refusal' && (
          <>
            <p>{to}</p>
            <p className="indent">{filed}，本机关于 {fmtDate(v.acceptedAt)} 受理。经审查，你（单位）的申请不符合法定条件、标准，根据《中华人民共和国行政许可法》第三十八条第二款的规定，决定不予行政许可。理由如下：</p>
            <blockquote className="reasons">{v.reasons}</blockquote>
            <p className="indent">{remedy(v)}</p>
          </>
        )}
        {v.kind === 'service' && (
          <table className="paper-table">
            <tbody>
              <tr><th scope="row">送达文书</th><td>{v.served?.title}{v.served?.number ? `（${v.served.number}）` : ''}{v.certificateNo ? `；电子证照 ${v.certificateNo}` : ''}</td></tr>
              <tr><th scope="row">受送达人</th><td>{v.applicant.name}</td></tr>
              <tr><th scope="row">送达方式</th><td>{deliveryName(v.delivery?.method, 'zh')}{v.delivery?.waybillNo ? `（运单号 ${v.delivery.waybillNo}）` : ''}</td></tr>
              <tr><th scope="row">送达地点</th><td>{v.delivery?.method === 'courier' ? '受送达人指定地址' : (v.window?.name ?? '办理窗口')}</td></tr>
              <tr><th scope="row">送达时间</th><td>{v.delivery?.at ? fmtTime(v.delivery.at) : '　　年　　月　　日　　时'}</td></tr>
              <tr><th scope="row">受送达人签名</th><td className="sign-line" /></tr>
              <tr><th scope="row">送达人签名</th><td className="sign-line" /></tr>
              <tr><th scope="row">备注</th><td>受送达人拒绝签收的，送达人应注明情况。</td></tr>
            </tbody>
          </table>
        )}
        {v.window && <p className="small">办理窗口：{v.window.name}，地址：{v.window.address}，电话：{v.window.phone ?? '—'}。监督电话：{v.supervisionPhone ?? '12345'}。</p>}
        <div className="paper-sign">
          <div className="seal-area">（印章）</div>
          <p className="issuer">{v.issuer.name}</p>
          <p className="issued-on">{fmtDate(v.issuedAt)}</p>
        </div>
      </article>
    </div>
  );
}
