/**
 * The documents of a case on A4 (文书): 收件回执, 受理通知书, 补正材料告知书, 不予受理通知书,
 * 准予行政许可决定书, 不予行政许可决定书 and 送达回证. The API numbers each one on first issue and
 * gives its words, block by block, from the case's record (api/services/document-content.ts);
 * this page lays those blocks out for print (the print stylesheet keeps the issuer, the seal area
 * and the date), and "下载 PDF" downloads the same document as the server's A4 PDF.
 */
import { useEffect, useState } from 'react';
import { downloadFile, post } from '../api';
import type { DocumentView } from '../types';
import { useI18n } from '../i18n';
import { ErrorBanner, Spinner, useLoad } from '../ui/kit';

/** Older links (#/notice/…) used these names. */
const kindAliases: Record<string, string> = { acceptance: 'accept' };

/** The documents a case may have, in the order a case meets them, with the link text. */
export const documentLinks: [string, string, string][] = [
  ['receipt', '收件回执', 'Filing receipt'], ['accept', '受理通知书', 'Acceptance notice'], ['correction', '补正材料告知书', 'Correction notice'],
  ['reject', '不予受理通知书', 'Refusal to accept'], ['approval', '准予行政许可决定书', 'Approval decision'], ['refusal', '不予行政许可决定书', 'Refusal decision'],
  ['service', '送达回证', 'Proof of service'],
];

type Block = DocumentView['content']['blocks'][number];
type Span = Extract<Block, { kind: 'paragraph' }>['spans'][number];

function SpanView({ s }: { s: Span }) {
  if (s.underline) return <u>{s.text}</u>;
  if (s.strong) return <strong>{s.text}</strong>;
  return <>{s.text}</>;
}

/** One block of the document's words, as the API gives it. */
function BlockView({ b }: { b: Block }) {
  switch (b.kind) {
    case 'paragraph':
      return <p className={[b.indent ? 'indent' : '', b.small ? 'small' : ''].filter(Boolean).join(' ') || undefined}>{b.spans.map((s, i) => <SpanView key={i} s={s} />)}</p>;
    case 'heading':
      return <h2 className="paper-h2">{b.text}</h2>;
    case 'list':
      return <ol>{b.items.map((item, i) => <li key={i}>{item}</li>)}</ol>;
    case 'reasons':
      return <blockquote className="reasons">{b.text}</blockquote>;
    case 'table':
      return (
        <table className="paper-table">
          <tbody>{b.rows.map((r) => <tr key={r.label}><th scope="row">{r.label}</th>{r.signLine ? <td className="sign-line" /> : <td>{r.value}</td>}</tr>)}</tbody>
        </table>
      );
  }
}

export function DocumentPage({ kind: rawKind, caseNo, back }: { kind: string; caseNo: string; back: string }) {
  const { t } = useI18n();
  const kind = kindAliases[rawKind] ?? rawKind;
  const doc = useLoad((signal) => post<DocumentView>(`/api/cases/${caseNo}/documents/${encodeURIComponent(kind)}`, undefined, { signal }), [caseNo, kind]);
  const v = doc.data;
  const [pdf, setPdf] = useState<{ busy: boolean; error: unknown }>({ busy: false, error: null });
  // The PDF saved from the print dialog is named after the document.
  useEffect(() => {
    if (!v) return undefined;
    const before = document.title;
    document.title = `${v.title} ${v.number}`;
    return () => { document.title = before; };
  }, [v]);
  if (doc.loading && !v) return <div className="page"><h1>{t('文书', 'Document')}</h1><Spinner /></div>;
  if (!v) return <div className="page"><h1>{t('文书', 'Document')}</h1><ErrorBanner error={doc.error} onRetry={doc.reload} /><p><a href={back}>← {t('返回', 'Back')}</a></p></div>;
  const c = v.content;
  const fileName = `${v.title}-${v.number.replace(/\s+/g, '')}.pdf`;
  const download = async () => {
    setPdf({ busy: true, error: null });
    try {
      await downloadFile(`/api/cases/${caseNo}/documents/${encodeURIComponent(v.kind)}/pdf`, fileName);
      setPdf({ busy: false, error: null });
    } catch (err) {
      setPdf({ busy: false, error: err });
    }
  };
  return (
    <div className="notice-page">
      <div className="no-print actions-bar">
        <a href={back}>← {t('返回', 'Back')}</a>
        <button type="button" className="btn-primary" onClick={() => window.print()}>{t('打印', 'Print')}</button>
        <button type="button" disabled={pdf.busy} onClick={() => void download()}>{pdf.busy ? t('正在生成 PDF…', 'Making the PDF…') : t('下载 PDF', 'Download PDF')}</button>
      </div>
      {pdf.error !== null && <div className="no-print"><ErrorBanner error={pdf.error} /></div>}
      <article className="paper" lang="zh-CN" data-kind={v.kind}>
        <header>
          <p className="paper-org">{v.issuer.name}</p>
          <h1>{v.title}</h1>
          <p className="paper-no">{v.number}</p>
          <p className="paper-no">{c.caseLine}</p>
        </header>
        {c.blocks.map((b, i) => <BlockView key={i} b={b} />)}
        <div className="paper-sign">
          <div className="seal-area">{c.sealText}</div>
          <p className="issuer">{v.issuer.name}</p>
          <p className="issued-on">{c.issuedOn}</p>
        </div>
      </article>
    </div>
  );
}
