/**
 * 刷脸认证: an applicant signed in by SMS (初级) raises the session to 中级 with a live face check
 * done on the phone (the identity platform's page), which this asks after every two seconds.
 * Once it has passed, the session in this tab says 中级 and the item's form appears.
 */
import { useState } from 'react';
import { get, post } from '../api';
import { useI18n } from '../i18n';
import { applicantOf, useSession } from '../session';
import type { FaceCheckResult, FaceCheckStarted } from '../types';
import { ErrorBanner, Spinner, useAction, useInterval } from './kit';

export function FaceCheck() {
  const { t } = useI18n();
  const { session, signIn } = useSession();
  const me = applicantOf(session);
  const start = useAction();
  const [check, setCheck] = useState<FaceCheckStarted | null>(null);
  const [result, setResult] = useState<FaceCheckResult | null>(null);
  const [pollError, setPollError] = useState<unknown>();

  const begin = async () => {
    setResult(null);
    const started = await start.run(() => post<FaceCheckStarted>('/api/auth/applicant/face-check'));
    if (started) setCheck(started);
  };

  const waiting = check !== null && (result === null || result.status === 'pending');
  useInterval(() => {
    if (!check) return;
    get<FaceCheckResult>(`/api/auth/applicant/face-check/${encodeURIComponent(check.checkId)}`).then((r) => {
      setPollError(undefined);
      setResult(r);
      if (r.status === 'passed' && me) signIn({ ...me, assuranceLevel: r.assuranceLevel });
    }, setPollError);
  }, waiting ? 2000 : null);

  if (!me) return null;
  return (
    <div className="face-check">
      {!waiting && (
        <button type="button" className="btn-primary" disabled={start.busy} onClick={() => void begin()}>
          {start.busy ? <Spinner label={t('正在发起…', 'Starting…')} /> : result && result.status !== 'passed' ? t('重新刷脸认证', 'Try the face check again') : t('刷脸认证，提升为中级', 'Face check to reach intermediate')}
        </button>
      )}
      <ErrorBanner error={start.error} />
      {waiting && check && (
        <p data-testid="face-check-waiting">
          {t('请在手机上打开', 'On your phone, open')} <a href={check.url} target="_blank" rel="noreferrer">{t('刷脸认证页面', 'the face check page')}</a>
          {t('，按提示完成刷脸核验；完成后本页会自动继续。', ' and follow it; this page goes on by itself once done.')}
          {' '}<Spinner label={t('等待刷脸结果…', 'Waiting for the result…')} />
        </p>
      )}
      {result?.status === 'failed' && <p className="warn-text" role="alert">{t(`刷脸认证未通过：${result.reason ?? '原因未说明'}`, `The face check failed: ${result.reason ?? 'no reason given'}`)}</p>}
      {result?.status === 'expired' && <p className="warn-text" role="alert">{t('刷脸认证已过期，请重新发起。', 'The face check expired; start it again.')}</p>}
      <ErrorBanner error={pollError} />
    </div>
  );
}
