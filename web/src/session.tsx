/**
 * Sign-in for staff (username + password) and applicants (ID, name, phone + SMS code), kept
 * for the browser tab. The API client gets the session through `setSession`, its one place.
 */
import { createContext, useContext, useState, type FormEvent } from 'react';
import { post, setSession, type ApplicantSession, type Session, type StaffSession } from './api';
import { useI18n } from './i18n';
import { ErrorBanner, Spinner, useAction } from './ui/kit';

const key = 'onewindow.session';

export function loadSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(key);
    const s = raw ? (JSON.parse(raw) as Session) : null;
    setSession(s);
    return s;
  } catch {
    return null;
  }
}

export interface SessionCtx {
  session: Session | null;
  signIn: (s: Session) => void;
  signOut: () => void;
}

export const SessionContext = createContext<SessionCtx>({ session: null, signIn: () => undefined, signOut: () => undefined });

export function useSession(): SessionCtx {
  return useContext(SessionContext);
}

export function useSessionState(): SessionCtx {
  const [session, set] = useState<Session | null>(() => loadSession());
  return {
    session,
    signIn(s) {
      setSession(s);
      sessionStorage.setItem(key, JSON.stringify(s));
      set(s);
    },
    signOut() {
      if (session?.token) void post('/api/auth/logout').catch(() => undefined);
      setSession(null);
      sessionStorage.removeItem(key);
      set(null);
    },
  };
}

export function staffOf(s: Session | null): StaffSession | null {
  return s?.kind === 'staff' ? s : null;
}

export function applicantOf(s: Session | null): ApplicantSession | null {
  return s?.kind === 'applicant' ? s : null;
}

/** Demo accounts of the sample data, to pick from on the sign-in page. */
export const demoStaff: { id: string; zh: string; en: string }[] = [
  { id: 'clerk-wang', zh: '王丽 · 西湖区政务服务中心 综合窗口', en: 'Wang Li · Xihu service hall, window clerk' },
  { id: 'xh-gaj-reviewer', zh: '公安审核人 · 西湖区公安分局', en: 'Police reviewer · Xihu police' },
  { id: 'xh-gaj-head', zh: '公安负责人 · 西湖区公安分局', en: 'Police head · Xihu police' },
  { id: 'xh-gaj-approver', zh: '公安承办人 · 西湖区公安分局', en: 'Police approver · Xihu police' },
  { id: 'approver-li', zh: '李强 · 西湖区市场监管局 承办人', en: 'Li Qiang · Xihu market regulation, approver' },
  { id: 'head-zhou', zh: '周敏 · 西湖区市场监管局 负责人', en: 'Zhou Min · Xihu market regulation, head' },
  { id: 'supervisor-zhao', zh: '赵敏 · 省政务办 电子监察', en: 'Zhao Min · supervision' },
  { id: 'reviewer-sun', zh: '孙伟 · 西湖区市场监管局 审核人', en: 'Sun Wei · Xihu market regulation, reviewer' },
  { id: 'admin-qian', zh: '钱进 · 省政务办 事项管理', en: 'Qian Jin · catalogue administrator' },
  { id: 'bianban-wu', zh: '吴刚 · 省编办 事项审核（第一审）', en: 'Wu Gang · classification review (stage 1)' },
  { id: 'fazhi-zheng', zh: '郑洁 · 省司法厅 合法性审核（第二审）', en: 'Zheng Jie · legality review (stage 2)' },
  { id: 'jiancha-feng', zh: '冯涛 · 省纪委监委 廉政风险审核（第三审）', en: 'Feng Tao · integrity review (stage 3)' },
];

interface StaffLogin {
  token: string;
  expiresAt: string;
  /** A seeded or administrator-set password: it must be changed before anything else. */
  mustChangePassword?: boolean;
  user: { id: string; name: string; department: string; roles: string[] };
}

export function StaffSignIn({ onDone }: { onDone: (s: StaffSession) => void }) {
  const { t, lang } = useI18n();
  const { signIn } = useSession();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [pending, setPending] = useState<StaffSession | null>(null);
  const action = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await action.run(() => post<StaffLogin>('/api/auth/login', { username: username.trim(), password }, { anonymous: true }));
    if (!r) return;
    const s: StaffSession = { kind: 'staff', userId: r.user.id, name: r.user.name, department: r.user.department, roles: r.user.roles, token: r.token };
    if (r.mustChangePassword) return setPending(s);
    signIn(s);
    onDone(s);
  };
  if (pending) {
    return <ChangePassword session={pending} currentPassword={password} onDone={() => { signIn(pending); onDone(pending); }} />;
  }
  return (
    <form className="card signin" onSubmit={(e) => void submit(e)} aria-labelledby="staff-signin-h">
      <h2 id="staff-signin-h">{t('工作人员登录', 'Staff sign-in')}</h2>
      <div className="field">
        <label htmlFor="staff-username">{t('账号', 'Username')}</label>
        <input id="staff-username" name="username" autoComplete="username" required value={username} onChange={(e) => setUsername(e.target.value)} list="demo-staff" />
        <datalist id="demo-staff">{demoStaff.map((d) => <option key={d.id} value={d.id}>{lang === 'zh' ? d.zh : d.en}</option>)}</datalist>
      </div>
      <div className="field">
        <label htmlFor="staff-password">{t('密码', 'Password')}</label>
        <input id="staff-password" name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
      </div>
      <ErrorBanner error={action.error} />
      <button type="submit" className="btn-primary" disabled={action.busy || !username.trim()}>{action.busy ? <Spinner label={t('登录中…', 'Signing in…')} /> : t('登录', 'Sign in')}</button>
      <details className="hint">
        <summary>{t('演示账号', 'Demo accounts')}</summary>
        <ul className="plain">
          {demoStaff.map((d) => (
            <li key={d.id}><button type="button" className="link" onClick={() => setUsername(d.id)}>{d.id}</button> {lang === 'zh' ? d.zh : d.en}</li>
          ))}
        </ul>
      </details>
    </form>
  );
}

/** The first sign-in with a seeded password: a new one (12+ characters, not common, not the user id) before anything else. */
function ChangePassword({ session, currentPassword, onDone }: { session: StaffSession; currentPassword: string; onDone: () => void }) {
  const { t } = useI18n();
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const action = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await action.run(async () => {
      if (next !== again) throw new Error(t('两次输入的新密码不一致', 'The two new passwords differ'));
      setSession(session);
      try {
        await post('/api/auth/password', { currentPassword, newPassword: next });
      } finally {
        setSession(null);
      }
      return true;
    });
    if (ok) onDone();
  };
  return (
    <form className="card signin" onSubmit={(e) => void submit(e)} aria-labelledby="change-password-h">
      <h2 id="change-password-h">{t('首次登录：请修改密码', 'First sign-in: change your password')}</h2>
      <p>{t('密码至少 12 位，不能包含账号或姓名，不能是常见密码。', 'At least 12 characters, not containing your user id or name, not a common password.')}</p>
      <div className="field">
        <label htmlFor="new-password">{t('新密码', 'New password')}</label>
        <input id="new-password" name="new-password" type="password" autoComplete="new-password" required minLength={12} value={next} onChange={(e) => setNext(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="new-password-again">{t('再次输入新密码', 'New password again')}</label>
        <input id="new-password-again" name="new-password-again" type="password" autoComplete="new-password" required minLength={12} value={again} onChange={(e) => setAgain(e.target.value)} />
      </div>
      <ErrorBanner error={action.error} />
      <button type="submit" className="btn-primary" disabled={action.busy || !next}>{action.busy ? <Spinner label={t('保存中…', 'Saving…')} /> : t('修改密码并登录', 'Change and sign in')}</button>
    </form>
  );
}

interface SmsChallenge {
  requestId: string;
  maskedPhone: string;
  expiresAt: string;
}

interface ApplicantLogin {
  token: string;
  expiresAt: string;
  applicant: { idNumber: string; name: string; assuranceLevel: string };
}

/** 统一身份认证: ID number, name and phone, then the SMS code. */
export function ApplicantSignIn({ onDone }: { onDone: (s: ApplicantSession) => void }) {
  const { t } = useI18n();
  const { signIn } = useSession();
  const [idNumber, setIdNumber] = useState('');
  const [name, setName] = useState('');
  const [phone, setPhone] = useState('');
  const [code, setCode] = useState('');
  const [challenge, setChallenge] = useState<SmsChallenge | null>(null);
  const action = useAction();
  const person = () => ({ idNumber: idNumber.trim().toUpperCase(), name: name.trim(), phone: phone.trim() });
  const sendCode = async (e: FormEvent) => {
    e.preventDefault();
    const r = await action.run(() => post<SmsChallenge>('/api/auth/applicant/sms', person(), { anonymous: true }));
    if (r) setChallenge(r);
  };
  const verify = async (e: FormEvent) => {
    e.preventDefault();
    if (!challenge) return;
    const r = await action.run(() => post<ApplicantLogin>('/api/auth/applicant/login', { requestId: challenge.requestId, code: code.trim() }, { anonymous: true }));
    if (r) {
      const s: ApplicantSession = { kind: 'applicant', idNumber: r.applicant.idNumber, name: r.applicant.name, phone: person().phone, assuranceLevel: r.applicant.assuranceLevel, token: r.token };
      signIn(s);
      onDone(s);
    }
  };
  if (challenge) {
    return (
      <form className="card signin" onSubmit={(e) => void verify(e)} aria-labelledby="app-signin-h">
        <h2 id="app-signin-h">{t('输入短信验证码', 'Enter the SMS code')}</h2>
        <p>{t(`验证码已发送至 ${challenge.maskedPhone}`, `A code was sent to ${challenge.maskedPhone}`)}</p>
        <div className="field">
          <label htmlFor="sms-code">{t('验证码', 'Code')}</label>
          <input id="sms-code" name="code" inputMode="numeric" autoComplete="one-time-code" required value={code} onChange={(e) => setCode(e.target.value)} />
        </div>
        <ErrorBanner error={action.error} />
        <button type="submit" className="btn-primary" disabled={action.busy || !code.trim()}>{action.busy ? <Spinner label={t('验证中…', 'Checking…')} /> : t('登录', 'Sign in')}</button>
        <button type="button" className="link" onClick={() => setChallenge(null)}>{t('重新获取', 'Start again')}</button>
      </form>
    );
  }
  return (
    <form className="card signin" onSubmit={(e) => void sendCode(e)} aria-labelledby="app-signin-h">
      <h2 id="app-signin-h">{t('申请人登录（统一身份认证）', 'Applicant sign-in')}</h2>
      <div className="field">
        <label htmlFor="app-id">{t('公民身份号码 / 统一社会信用代码', 'ID number / credit code')}</label>
        <input id="app-id" name="idNumber" required maxLength={18} value={idNumber} onChange={(e) => setIdNumber(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="app-name">{t('姓名', 'Name')}</label>
        <input id="app-name" name="name" required value={name} onChange={(e) => setName(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="app-phone">{t('手机号码', 'Mobile phone')}</label>
        <input id="app-phone" name="phone" type="tel" required maxLength={11} value={phone} onChange={(e) => setPhone(e.target.value)} />
      </div>
      <ErrorBanner error={action.error} />
      <button type="submit" className="btn-primary" disabled={action.busy}>{action.busy ? <Spinner label={t('发送中…', 'Sending…')} /> : t('获取验证码', 'Send code')}</button>
    </form>
  );
}
