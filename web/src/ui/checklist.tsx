/**
 * The case's materials checklist as the server keeps it (GET /cases/{caseNo}/checklist): each
 * material's state (paper received, uploaded files, e-certificate, missing), shown the same from
 * any tab; the clerk may record paper, upload a file (with progress) or mark a material missing.
 * Also the files of correction replies, beside the problems of the notice they answer.
 */
import { useState } from 'react';
import { downloadFile, postWithProgress, put } from '../api';
import { useI18n } from '../i18n';
import { ErrorBanner, useAction } from './kit';

export interface MaterialFile { id: string; fileName: string; contentType: string; size: number; uploadedAt: string }

export interface ChecklistEntry {
  materialId: string;
  name: string;
  required: boolean;
  certificateType: string | null;
  state: 'paper' | 'uploaded' | 'certificate' | 'missing';
  setBy: string | null;
  certificateNo: string | null;
  waiverReason: string | null;
  files: MaterialFile[];
}

export interface Checklist {
  caseNo: string;
  materials: ChecklistEntry[];
  missingRequired: string[];
  corrections: (MaterialFile & { materialId: string | null; answersProblem: string; repliedAt: string })[];
  otherFiles: (MaterialFile & { materialName: string })[];
}

const uploadTypes: Record<string, string> = { 'application/pdf': 'application/pdf', 'image/jpeg': 'image/jpeg', 'image/png': 'image/png' };

/** The file's bytes as base64 (what POST /materials takes). */
export function fileAsBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(typeof r.result === 'string' ? r.result.replace(/^data:[^,]*,/, '') : '');
    r.onerror = () => reject(r.error ?? new Error('read failed'));
    r.readAsDataURL(file);
  });
}

/** Uploads one file as a material of the case, reporting progress; refuses types the server does not take before sending. */
export async function uploadMaterial(caseNo: string, file: File, material: { id?: string; name: string }, onProgress: (share: number) => void): Promise<{ id: string }> {
  const contentType = uploadTypes[file.type];
  if (!contentType) throw new Error(`“${file.name}”不是 PDF、JPG 或 PNG 文件`);
  if (file.size > 5 * 1024 * 1024) throw new Error(`“${file.name}”超过 5 MB`);
  const dataBase64 = await fileAsBase64(file);
  return postWithProgress<{ id: string }>(`/api/cases/${caseNo}/materials`, {
    materialName: material.name.slice(0, 200), ...(material.id ? { materialId: material.id } : {}), fileName: file.name, contentType, dataBase64,
  }, onProgress);
}

export function stateText(m: ChecklistEntry, t: (zh: string, en: string) => string): string {
  switch (m.state) {
    case 'paper': return t('已收取纸质材料', 'Paper received');
    case 'uploaded': return t('已上传', 'Uploaded');
    case 'certificate': return t(`电子证照 ${m.certificateNo ?? ''}`, `E-certificate ${m.certificateNo ?? ''}`);
    default: return m.required ? t('缺少', 'Missing') : t('未提交', 'Not given');
  }
}

function FileLink({ caseNo, f }: { caseNo: string; f: MaterialFile }) {
  const { t } = useI18n();
  const action = useAction();
  return (
    <button type="button" className="link-button" onClick={() => void action.run(() => downloadFile(`/api/cases/${caseNo}/materials/${f.id}`, f.fileName))}>
      {f.fileName}<span className="sr-only">{t('（下载）', ' (download)')}</span>
    </button>
  );
}

/** The stored checklist; with `editable`, the clerk's actions per material. */
export function ChecklistTable({ list, editable, onChanged }: { list: Checklist; editable: boolean; onChanged: () => void }) {
  const { t } = useI18n();
  const action = useAction();
  const [progress, setProgress] = useState<Record<string, number>>({});
  const setState = (m: ChecklistEntry, state: 'paper' | 'missing') =>
    void action.run(() => put(`/api/cases/${list.caseNo}/checklist/${m.materialId}`, { state })).then((r) => { if (r !== undefined) onChanged(); });
  const upload = async (m: ChecklistEntry, file: File | undefined) => {
    if (!file) return;
    const r = await action.run(() => uploadMaterial(list.caseNo, file, { id: m.materialId, name: m.name }, (share) => setProgress((p) => ({ ...p, [m.materialId]: share }))));
    setProgress((p) => ({ ...p, [m.materialId]: -1 }));
    if (r !== undefined) onChanged();
  };
  return (
    <>
      <ErrorBanner error={action.error} />
      <table className="table materials checklist-table">
        <thead><tr><th scope="col">{t('材料名称', 'Material')}</th><th scope="col">{t('要求', 'Needed')}</th><th scope="col">{t('状态', 'State')}</th>{editable && <th scope="col">{t('操作', 'Actions')}</th>}</tr></thead>
        <tbody>
          {list.materials.map((m) => {
            const ok = m.state !== 'missing';
            return (
              <tr key={m.materialId} data-material={m.materialId} className={ok ? 'ok' : m.required ? 'bad' : ''}>
                <td>{m.name}</td>
                <td>{m.required ? t('必需', 'Required') : t('按需', 'If applicable')}</td>
                <td>
                  <span className={ok ? 'ok-text' : m.required ? 'warn-text' : 'muted'}><span aria-hidden="true">{ok ? '✔ ' : m.required ? '✘ ' : '– '}</span>{stateText(m, t)}</span>
                  {m.files.map((f) => <div key={f.id} className="small"><FileLink caseNo={list.caseNo} f={f} /></div>)}
                  {m.waiverReason && <div className="hint">{t(`先行受理理由：${m.waiverReason}`, `Accepted anyway: ${m.waiverReason}`)}</div>}
                  {(progress[m.materialId] ?? -1) >= 0 && <progress className="upload-progress" max={1} value={progress[m.materialId]} aria-label={t(`${m.name}上传进度`, `Upload of ${m.name}`)} />}
                </td>
                {editable && (
                  <td><div className="material-actions">
                    {m.state !== 'paper' && <button type="button" className="btn-small" disabled={action.busy} onClick={() => setState(m, 'paper')}>{t('收取纸质材料', 'Paper received')}</button>}
                    <label className="upload">
                      <span>{t('上传', 'Upload')}</span>
                      <input type="file" accept="application/pdf,image/jpeg,image/png" aria-label={t(`上传${m.name}`, `Upload ${m.name}`)} disabled={action.busy} onChange={(e) => void upload(m, e.target.files?.[0])} />
                    </label>
                    {m.state !== 'missing' && <button type="button" className="btn-small" disabled={action.busy} onClick={() => setState(m, 'missing')}>{t('标记为缺少', 'Mark missing')}</button>}
                  </div></td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
      {list.otherFiles.length > 0 && (
        <p className="small">{t('其他上传文件：', 'Other files: ')}{list.otherFiles.map((f) => <span key={f.id}>{f.materialName}：<FileLink caseNo={list.caseNo} f={f} /> </span>)}</p>
      )}
    </>
  );
}

/** A correction reply's files, beside the problems they answer. */
export function CorrectionFiles({ list }: { list: Checklist }) {
  const { t } = useI18n();
  if (list.corrections.length === 0) return null;
  const problems = [...new Set(list.corrections.map((c) => c.answersProblem))];
  return (
    <section aria-labelledby="corr-files-h" className="subcard">
      <h3 id="corr-files-h">{t('补正答复的材料', 'Files of the correction reply')}</h3>
      <ol className="correction-answers">
        {problems.map((p) => (
          <li key={p}>
            <strong>{p}</strong>
            <ul className="correction-files">
              {list.corrections.filter((c) => c.answersProblem === p).map((c) => <li key={c.id}><FileLink caseNo={list.caseNo} f={c} /></li>)}
            </ul>
          </li>
        ))}
      </ol>
    </section>
  );
}
