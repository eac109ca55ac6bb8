/**
 * Filing an application, at the window or online: the applicant, the item's form (JSON Forms),
 * the materials checklist and the delivery choice. Checked in the browser before sending; the
 * API's field problems come back onto the same fields, and nothing typed is lost on an error.
 * Once the case is filed, its materials go to the server (files with upload progress, paper
 * received, e-certificates) and become the case's stored checklist.
 */
import type { ErrorObject } from 'ajv';
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { ApiError, get, post, put, type FieldProblem } from '../api';
import { ItemForm } from '../forms/item-form';
import { AttachmentContext, type AttachmentFiles } from '../forms/renderers';
import { uploadMaterial } from './checklist';
import { validationMessage } from '../forms/messages';
import { fmtDate, useI18n } from '../i18n';
import type { Applicant, Guide } from '../types';
import { ErrorBanner, Notice, Spinner, useAction } from './kit';

export interface MaterialRecord {
  id: string;
  name: string;
  required: boolean;
  /** Paper received at the window. */
  paper: boolean;
  file?: File;
  certificate?: { number: string; type: string; validUntil: string | null; expired: boolean };
}

interface Certificate {
  number: string;
  type: string;
  holderName: string;
  issuer: string;
  validFrom: string;
  validUntil: string | null;
}

/** Simulated ID-card reader: the fictitious sample residents of the identity simulator. */
const sampleCards = [
  { name: '徐婷婷', idNumber: '330106199307223120', gender: '女', ethnicity: '汉族', address: '浙江省杭州市西湖区北山街道保俶路128号4幢3单元502室' },
  { name: '张三', idNumber: '330106199003073514', gender: '男', ethnicity: '汉族', address: '浙江省杭州市西湖区文一西路100号3幢2单元501室' },
  { name: '刘建军', idNumber: '330106198503122410', gender: '男', ethnicity: '汉族', address: '浙江省杭州市西湖区文新街道学院路66号' },
];

const nameKeys = ['applicantName', 'operatorName', 'name', 'applicant'];

export interface ApplyFormProps {
  guide: Guide;
  channel: 'window' | 'online';
  /** Online: the signed-in applicant, not editable. */
  fixedApplicant?: Applicant;
  onFiled: (caseNo: string) => void;
  /** A saved draft to resume (草稿箱), and a callback with what is typed, to save one. */
  initial?: { applicant?: Partial<Applicant>; formData?: Record<string, unknown> };
  onEdit?: (state: { applicant: Applicant; formData: Record<string, unknown> }) => void;
}

function newKey(): string {
  return `web-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

export function ApplyForm({ guide, channel, fixedApplicant, onFiled, initial, onEdit }: ApplyFormProps) {
  const { t, lang } = useI18n();
  const [applicant, setApplicant] = useState<Applicant>(fixedApplicant ?? { kind: 'person', name: '', idNumber: '', phone: '', ...initial?.applicant });
  const [data, setData] = useState<Record<string, unknown>>(initial?.formData ?? {});
  const onEditRef = useRef(onEdit);
  onEditRef.current = onEdit;
  useEffect(() => onEditRef.current?.({ applicant, formData: data }), [applicant, data]);
  const [clientErrors, setClientErrors] = useState<ErrorObject[]>([]);
  const [showAll, setShowAll] = useState(false);
  const [server, setServer] = useState<FieldProblem[]>([]);
  const [materials, setMaterials] = useState<MaterialRecord[]>(() => guide.materials.map((m) => ({ id: m.id, name: m.name, required: m.required, paper: false })));
  const [attached, setAttached] = useState<AttachmentFiles['files']>({});
  const attachments = useMemo<AttachmentFiles>(() => ({
    files: attached,
    pick: (path, file, materialId) => setAttached((a) => {
      const next = { ...a };
      if (file) next[path] = { file, materialId };
      else delete next[path];
      return next;
    }),
  }), [attached]);
  const [progress, setProgress] = useState<Record<string, number>>({});
  const [filedCase, setFiledCase] = useState<string | null>(null);
  const storing = useAction();
  const [delivery, setDelivery] = useState<string>(guide.delivery[0] ?? 'window');
  const [address, setAddress] = useState({ name: '', phone: '', address: '' });
  const [card, setCard] = useState(0);
  const [reading, setReading] = useState(false);
  const [certNote, setCertNote] = useState<Record<string, string>>({});
  const idemKey = useRef(newKey());
  const action = useAction();
  const lookup = useAction();
  const formProblems = useMemo(() => server.filter((p) => p.pointer.startsWith('/formData')).map((p) => ({ ...p, pointer: p.pointer.slice('/formData'.length) || '/' })), [server]);
  const problemAt = (pointer: string) => server.filter((p) => p.pointer === pointer).map((p) => validationMessage(p.detail, lang)).join('；');

  const readCard = async () => {
    setReading(true);
    await new Promise((r) => setTimeout(r, 600)); // the reader takes a moment
    const c = sampleCards[card];
    setApplicant((a) => ({ ...a, kind: 'person', name: c.name, idNumber: c.idNumber }));
    const props = (guide.form.schema.properties ?? {}) as Record<string, unknown>;
    setData((d) => {
      const next = { ...d };
      for (const k of nameKeys) if (k in props) next[k] = c.name;
      if ('idNumber' in props) next.idNumber = c.idNumber;
      if ('gender' in props) next.gender = c.gender;
      if ('ethnicity' in props) next.ethnicity = c.ethnicity;
      if ('householdAddress' in props) next.householdAddress = c.address;
      return next;
    });
    setReading(false);
  };

  const useCertificate = async (index: number) => {
    const m = guide.materials[index];
    if (!m.certificateType) return;
    const r = await lookup.run(() => get<{ certificates: Certificate[]; available: boolean }>(`/api/views/certificates?holder=${encodeURIComponent(applicant.idNumber.trim())}`));
    if (!r) return;
    const found = r.certificates.find((c) => c.type === m.certificateType);
    if (!found) {
      setCertNote((n) => ({ ...n, [m.id]: t(`电子证照库中没有该申请人的${m.certificateType}，请收取纸质材料`, `No ${m.certificateType} on record for this applicant; take the paper one`) }));
      return;
    }
    const expired = found.validUntil !== null && found.validUntil < new Date().toISOString().slice(0, 10);
    setCertNote((n) => ({ ...n, [m.id]: expired ? t(`证照已于 ${found.validUntil} 过期`, `expired on ${found.validUntil}`) : '' }));
    setMaterials((list) => list.map((x) => (x.id === m.id ? { ...x, certificate: { number: found.number, type: found.type, validUntil: found.validUntil, expired } } : x)));
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setShowAll(true);
    if (clientErrors.length > 0 || !applicant.name.trim() || !/^[0-9A-Z]{18}$/.test(applicant.idNumber.trim())) {
      setServer([]);
      window.setTimeout(() => document.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus(), 0);
      return;
    }
    const body = {
      implementationCode: guide.code,
      channel,
      applicant: { kind: applicant.kind, name: applicant.name.trim(), idNumber: applicant.idNumber.trim().toUpperCase(), ...(applicant.phone?.trim() ? { phone: applicant.phone.trim() } : {}) },
      formData: data,
      delivery: delivery === 'courier' ? { method: 'courier', address } : { method: delivery },
    };
    const r = await action.run(async () => {
      try {
        return await post<{ caseNo: string }>('/api/cases', body, { idempotencyKey: idemKey.current });
      } catch (err) {
        if (err instanceof ApiError) {
          setServer(err.errors);
          // A changed request needs a new key; the same one is kept for a retry of the same request.
          if (err.status === 422 || err.status === 400 || err.status === 409) idemKey.current = newKey();
        }
        throw err;
      }
    });
    if (r) {
      setFiledCase(r.caseNo);
      await storeMaterials(r.caseNo);
    }
  };

  /** The materials of the filed case to the server: files (with progress), paper received, e-certificates. */
  const storeMaterials = async (caseNo: string) => {
    const done = await storing.run(async () => {
      for (const m of materials) {
        const guideMaterial = guide.materials.find((g) => g.id === m.id);
        if (m.file) await uploadMaterial(caseNo, m.file, { id: m.id, name: m.name }, (share) => setProgress((p) => ({ ...p, [m.id]: share })));
        if (m.paper) await put(`/api/cases/${caseNo}/checklist/${m.id}`, { state: 'paper' });
        if (m.certificate && !m.certificate.expired && guideMaterial?.certificateType) await put(`/api/cases/${caseNo}/checklist/${m.id}`, { state: 'certificate', certificateNo: m.certificate.number });
      }
      for (const [path, a] of Object.entries(attached)) {
        const known = a.materialId ? guide.materials.find((g) => g.id === a.materialId) : undefined;
        await uploadMaterial(caseNo, a.file, { id: known?.id, name: known?.name ?? path }, (share) => setProgress((p) => ({ ...p, [path]: share })));
      }
      return true;
    });
    if (done) onFiled(caseNo);
  };

  const idInvalid = showAll && !/^[0-9A-Z]{18}$/.test(applicant.idNumber.trim());
  const idProblem = problemAt('/applicant/idNumber') || (idInvalid ? t('请填写 18 位证件号码', 'Enter the 18-character ID number') : '');
  const nameProblem = problemAt('/applicant/name') || (showAll && !applicant.name.trim() ? t('此项为必填项', 'Required') : '');

  return (
    <form onSubmit={(e) => void submit(e)} noValidate aria-label={t('申请表', 'Application')}>
      <section className="card" aria-labelledby="applicant-h">
        <div className="card-head">
          <h2 id="applicant-h">{t('申请人', 'Applicant')}</h2>
          {channel === 'window' && (
            <div className="reader">
              <label htmlFor="card-on-reader" className="muted">{t('读卡器上的身份证（模拟）', 'Card on the reader (simulated)')}</label>
              <select id="card-on-reader" value={card} onChange={(e) => setCard(Number(e.target.value))}>
                {sampleCards.map((c, i) => <option key={c.idNumber} value={i}>{c.name}</option>)}
              </select>
              <button type="button" onClick={() => void readCard()} disabled={reading}>{reading ? <Spinner label={t('正在读卡…', 'Reading…')} /> : t('读取身份证', 'Read ID card')}</button>
            </div>
          )}
        </div>
        {fixedApplicant ? (
          <dl className="facts">
            <dt>{t('姓名', 'Name')}</dt><dd>{fixedApplicant.name}</dd>
            <dt>{t('证件号码', 'ID number')}</dt><dd>{fixedApplicant.idNumber}</dd>
          </dl>
        ) : (
          <div className="layout-horizontal">
            <div className="field">
              <label htmlFor="applicant-kind">{t('申请人类型', 'Applicant type')}</label>
              <select id="applicant-kind" value={applicant.kind} onChange={(e) => setApplicant({ ...applicant, kind: e.target.value as Applicant['kind'] })}>
                <option value="person">{t('自然人', 'Natural person')}</option>
                <option value="legal_person">{t('法人', 'Legal person')}</option>
              </select>
            </div>
            <div className={`field${nameProblem ? ' field-invalid' : ''}`}>
              <label htmlFor="applicant-name">{t('姓名 / 名称', 'Name')}<span className="req" aria-hidden="true"> *</span></label>
              <input id="applicant-name" value={applicant.name} aria-invalid={Boolean(nameProblem)} aria-required onChange={(e) => setApplicant({ ...applicant, name: e.target.value })} />
              {nameProblem && <div className="field-error" role="alert">{nameProblem}</div>}
            </div>
            <div className={`field${idProblem ? ' field-invalid' : ''}`}>
              <label htmlFor="applicant-id">{t('证件号码', 'ID number')}<span className="req" aria-hidden="true"> *</span></label>
              <input id="applicant-id" value={applicant.idNumber} maxLength={18} aria-invalid={Boolean(idProblem)} aria-required onChange={(e) => setApplicant({ ...applicant, idNumber: e.target.value.toUpperCase() })} />
              {idProblem && <div className="field-error" role="alert">{idProblem}</div>}
            </div>
            <div className={`field${problemAt('/applicant/phone') ? ' field-invalid' : ''}`}>
              <label htmlFor="applicant-phone">{t('手机号码', 'Mobile')}</label>
              <input id="applicant-phone" type="tel" value={applicant.phone ?? ''} maxLength={11} onChange={(e) => setApplicant({ ...applicant, phone: e.target.value })} />
              {problemAt('/applicant/phone') && <div className="field-error" role="alert">{problemAt('/applicant/phone')}</div>}
            </div>
          </div>
        )}
      </section>

      <section className="card" aria-labelledby="form-h">
        <h2 id="form-h">{(guide.form.schema.title as string | undefined) ?? t('申请表', 'Application form')}</h2>
        <AttachmentContext.Provider value={attachments}>
          <ItemForm schema={guide.form.schema} uischema={guide.form.uischema} data={data} serverProblems={formProblems} showAllErrors={showAll}
            onChange={(d, errs) => { setData(d); setClientErrors(errs); }} />
        </AttachmentContext.Provider>
      </section>

      <section className="card" aria-labelledby="materials-h">
        <h2 id="materials-h">{t('申请材料', 'Materials')}</h2>
        <ErrorBanner error={lookup.error} />
        <table className="table materials">
          <thead><tr><th scope="col">{t('材料名称', 'Material')}</th><th scope="col">{t('要求', 'Needed')}</th><th scope="col">{t('提交方式', 'How')}</th><th scope="col">{t('状态', 'State')}</th></tr></thead>
          <tbody>
            {guide.materials.map((m, i) => {
              const rec = materials[i];
              const attachedHere = Object.values(attached).find((a) => a.materialId === m.id);
              return (
                <tr key={m.id}>
                  <td>{m.name}{m.note && <div className="hint">{m.note}</div>}</td>
                  <td>{m.required ? t('必需', 'Required') : t('按需', 'If applicable')}</td>
                  <td><div className="material-actions">
                    {channel === 'window' && (
                      <label className="check">
                        <input type="checkbox" checked={rec.paper} onChange={(e) => setMaterials((l) => l.map((x, j) => (j === i ? { ...x, paper: e.target.checked, certificate: e.target.checked ? undefined : x.certificate } : x)))} />
                        {t('已收取纸质材料', 'Paper received')}
                      </label>
                    )}
                    <label className="upload">
                      <span>{t('上传', 'Upload')}</span>
                      <input type="file" accept="application/pdf,image/jpeg,image/png" aria-label={`${t('上传', 'Upload')} ${m.name}`} onChange={(e) => {
                        const f = e.target.files?.[0];
                        setMaterials((l) => l.map((x, j) => (j === i ? { ...x, file: f } : x)));
                      }} />
                    </label>
                    {m.certificateType && channel === 'window' && (
                      <button type="button" className="btn-small" disabled={lookup.busy || !/^[0-9A-Z]{18}$/.test(applicant.idNumber)} onClick={() => void useCertificate(i)}>
                        {t(`改用电子证照（${m.certificateType}）`, `Use the e-certificate (${m.certificateType})`)}
                      </button>
                    )}
                    {m.certificateType && channel === 'online' && <div className="hint">{t(`可由窗口调取电子证照（${m.certificateType}）`, `The window can fetch the e-certificate (${m.certificateType})`)}</div>}
                  </div></td>
                  <td>
                    {rec.certificate ? (
                      <span className={rec.certificate.expired ? 'warn-text' : 'ok-text'}>
                        {t('电子证照', 'E-certificate')} {rec.certificate.number}{rec.certificate.validUntil ? ` · ${t('有效期至', 'valid until')} ${fmtDate(rec.certificate.validUntil)}` : ''}
                        {rec.certificate.expired && ` · ${t('已过期', 'expired')}`}
                      </span>
                    ) : rec.file || rec.paper || attachedHere ? (
                      <span className="ok-text">{[rec.paper && t('纸质材料已收取', 'Paper received'), rec.file?.name, attachedHere && t(`表单附件 ${attachedHere.file.name}`, `form attachment ${attachedHere.file.name}`)].filter(Boolean).join(' · ')}</span>
                    ) : <span className="muted">{t('未提交', 'Not yet')}</span>}
                    {progress[m.id] !== undefined && <progress className="upload-progress" max={1} value={progress[m.id]} aria-label={t(`${m.name}上传进度`, `Upload of ${m.name}`)} />}
                    {certNote[m.id] && <div className="hint warn-text">{certNote[m.id]}</div>}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>

      <section className="card" aria-labelledby="delivery-h">
        <h2 id="delivery-h">{t('结果领取方式', 'How to receive the result')}</h2>
        <div className="radios" role="radiogroup" aria-labelledby="delivery-h">
          {guide.delivery.map((d) => (
            <label key={d} className="radio">
              <input type="radio" name="delivery" value={d} checked={delivery === d} onChange={() => setDelivery(d)} />
              {d === 'window' ? t('窗口领取', 'Pick up at the window') : d === 'courier' ? t('邮寄送达', 'By courier') : t('自助终端领取', 'Self-service kiosk')}
            </label>
          ))}
        </div>
        {delivery === 'courier' && (
          <div className="layout-horizontal">
            {(['name', 'phone', 'address'] as const).map((k) => (
              <div key={k} className={`field${problemAt(`/delivery/address/${k}`) ? ' field-invalid' : ''}`}>
                <label htmlFor={`addr-${k}`}>{k === 'name' ? t('收件人', 'Recipient') : k === 'phone' ? t('收件电话', 'Phone') : t('收件地址', 'Address')}</label>
                <input id={`addr-${k}`} value={address[k]} onChange={(e) => setAddress({ ...address, [k]: e.target.value })} />
                {problemAt(`/delivery/address/${k}`) && <div className="field-error" role="alert">{problemAt(`/delivery/address/${k}`)}</div>}
              </div>
            ))}
          </div>
        )}
      </section>

      {showAll && clientErrors.length > 0 && <Notice kind="warn">{t(`还有 ${clientErrors.length} 处需要修改，已在表单中标出。`, `${clientErrors.length} field(s) need attention; they are marked above.`)}</Notice>}
      <ErrorBanner error={action.error} />
      {filedCase && (storing.busy || storing.error !== undefined) && (
        <Notice kind={storing.error ? 'warn' : 'info'}>
          {storing.busy ? <Spinner label={t(`办件 ${filedCase} 已登记，正在保存申请材料…`, `Case ${filedCase} filed; saving the materials…`)} /> : (
            <>
              {t(`办件 ${filedCase} 已登记，但部分申请材料未能保存：`, `Case ${filedCase} is filed, but some materials were not saved: `)}
              <ErrorBanner error={storing.error} />
              <button type="button" onClick={() => void storeMaterials(filedCase)}>{t('重新保存材料', 'Save the materials again')}</button>{' '}
              <button type="button" onClick={() => onFiled(filedCase)}>{t('先继续办理，稍后补传', 'Go on; upload later')}</button>
            </>
          )}
        </Notice>
      )}
      <div className="actions-bar">
        <button type="submit" className="btn-primary" disabled={action.busy || storing.busy || filedCase !== null}>{action.busy ? <Spinner label={t('正在提交…', 'Submitting…')} /> : channel === 'window' ? t('登记申报', 'File the case') : t('提交申请', 'Submit application')}</button>
      </div>
    </form>
  );
}
