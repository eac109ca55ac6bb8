/**
 * Print-ready notices: 受理通知书, 补正告知书, 不予受理通知书, on an A4 page with the
 * department's name, the case number, the dates and the window's contacts.
 */
import { get } from '../api';
import { fmtDate, fmtDeadline, useI18n } from '../i18n';
import type { CaseRecord, Guide, LiveView } from '../types';
import { ErrorBanner, Spinner, useLoad } from '../ui/kit';

export function NoticePage({ kind, caseNo }: { kind: string; caseNo: string }) {
  const { t } = useI18n();
  const data = useLoad(async (signal) => {
    const [record, live] = await Promise.all([get<CaseRecord>(`/api/cases/${caseNo}`, { signal }), get<LiveView>(`/api/cases/${caseNo}/live`, { signal })]);
    const guide = await get<Guide>(`/api/implementations/${encodeURIComponent(record.implementationCode)}`, { signal }).catch(() => undefined);
    return { record, live, guide };
  }, [caseNo]);
  if (data.loading && !data.data) return <Spinner />;
  if (!data.data) return <ErrorBanner error={data.error} onRetry={data.reload} />;
  const { record, live, guide } = data.data;
  const precheck = record.tasks.find((x) => x.kind === 'precheck' && x.outcome);
  const title = kind === 'accept' ? '受理通知书' : kind === 'correction' ? '补正材料告知书' : '不予受理通知书';
  const window0 = guide?.windows?.[0];
  const problems = live.correction?.problems ?? (precheck?.outcome?.problems) ?? [];
  const issuedAt = precheck?.closedAt ?? record.acceptedAt ?? new Date().toISOString();
  return (
    <div className="notice-page">
      <div className="no-print actions-bar">
        <a href={`#/window/case/${caseNo}`}>← {t('返回', 'Back')}</a>
        <button type="button" className="btn-primary" onClick={() => window.print()}>{t('打印', 'Print')}</button>
      </div>
      <article className="paper" lang="zh-CN">
        <header>
          <p className="paper-org">{guide?.departmentName ?? record.department}</p>
          <h1>{title}</h1>
          <p className="paper-no">办件编号：{caseNo}</p>
        </header>
        <p><u>{record.applicant.name}</u>：</p>
        {kind === 'accept' && (
          <>
            <p className="indent">
              你（单位）于 {fmtDate(record.filedAt)} 提出的<strong>{record.itemName}</strong>申请，经审查，申请材料齐全、符合法定形式，根据《中华人民共和国行政许可法》第三十二条的规定，决定予以受理。
            </p>
            <p className="indent">
              本机关将于受理之日起 {live.clock.promisedLimitDays} 个工作日内（承诺时限，法定时限 {live.clock.statutoryLimitDays} 个工作日）作出决定，承诺办结日期为 {fmtDeadline(live.clock.promisedDeadline, false)}。依法需要听证、检验、检测、鉴定和专家评审的，所需时间不计算在上述期限内。
            </p>
          </>
        )}
        {kind === 'correction' && (
          <>
            <p className="indent">你（单位）于 {fmtDate(record.filedAt)} 提出的<strong>{record.itemName}</strong>申请，经审查，申请材料不齐全或者不符合法定形式。根据《中华人民共和国行政许可法》第三十二条的规定，现一次性告知需要补正的全部内容：</p>
            <ol>{problems.map((p, i) => <li key={i}>{p}</li>)}</ol>
            <p className="indent">请于 {fmtDeadline(live.correction?.replyBy, false)} 前补正。逾期未补正的，视为撤回申请。补正材料齐全后，本机关将重新审查。</p>
          </>
        )}
        {kind === 'reject' && (
          <>
            <p className="indent">你（单位）于 {fmtDate(record.filedAt)} 提出的<strong>{record.itemName}</strong>申请，经审查，决定不予受理。理由如下：</p>
            <blockquote>{precheck?.outcome?.opinion ?? '—'}</blockquote>
            <p className="indent">如不服本决定，可以自收到本通知书之日起六十日内依法申请行政复议，或者在六个月内依法提起行政诉讼。</p>
          </>
        )}
        {window0 && <p className="small">办理窗口：{window0.name}，地址：{window0.address}，电话：{window0.phone ?? '—'}。监督电话：{guide?.supervisionPhone ?? '12345'}。</p>}
        <footer className="paper-sign">
          <p>{guide?.departmentName ?? record.department}（印章）</p>
          <p>{fmtDate(issuedAt)}</p>
        </footer>
      </article>
    </div>
  );
}
