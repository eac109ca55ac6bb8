/**
 * Starts every platform simulator on a free loopback port: identity, e-certificates, payment,
 * logistics, department systems and messaging. Used by `npm start` and integration tests.
 */
import { startCertificateSimulator } from './certificates';
import { startDepartmentSimulator } from './departments';
import { startIdentitySimulator } from './identity';
import { startLogisticsSimulator } from './logistics';
import { startMessagingSimulator } from './messaging';
import { startPaymentSimulator } from './payment';

export interface AllSimulatorsOptions {
  /** One secret for all platforms unless `secrets` names another. */
  secret: string;
  secrets?: Partial<Record<'identity' | 'certificates' | 'payment' | 'logistics' | 'departments' | 'messaging', string>>;
  /**
   * The API's base URL: callbacks go to `<base>/callbacks/payment`, `/callbacks/logistics` and
   * `/callbacks/department`. Without it callbacks are logged and not sent until configured.
   */
  callbackBaseUrl?: string;
  hangMs?: number;
}

type Started<T extends (...a: never[]) => Promise<unknown>> = Awaited<ReturnType<T>>;

export interface AllSimulators {
  identity: Started<typeof startIdentitySimulator>;
  certificates: Started<typeof startCertificateSimulator>;
  payment: Started<typeof startPaymentSimulator>;
  logistics: Started<typeof startLogisticsSimulator>;
  departments: Started<typeof startDepartmentSimulator>;
  messaging: Started<typeof startMessagingSimulator>;
  urls: Record<'identity' | 'certificates' | 'payment' | 'logistics' | 'departments' | 'messaging', string>;
  close(): Promise<void>;
}

export async function startAllSimulators(opts: AllSimulatorsOptions): Promise<AllSimulators> {
  const secret = (p: keyof NonNullable<AllSimulatorsOptions['secrets']>) => opts.secrets?.[p] ?? opts.secret;
  const callback = (path: string) => (opts.callbackBaseUrl ? `${opts.callbackBaseUrl.replace(/\/$/, '')}/callbacks/${path}` : undefined);
  const common = { hangMs: opts.hangMs };
  const started: { close(): Promise<void> }[] = [];
  const track = async <T extends { close(): Promise<void> }>(p: Promise<T>): Promise<T> => {
    const s = await p;
    started.push(s);
    return s;
  };
  const closeAll = async () => {
    await Promise.allSettled(started.map((s) => s.close()));
  };
  try {
    const [identity, certificates, payment, logistics, departments, messaging] = await Promise.all([
      track(startIdentitySimulator({ ...common, secret: secret('identity') })),
      track(startCertificateSimulator({ ...common, secret: secret('certificates') })),
      track(startPaymentSimulator({ ...common, secret: secret('payment'), callbackUrl: callback('payment') })),
      track(startLogisticsSimulator({ ...common, secret: secret('logistics'), callbackUrl: callback('logistics') })),
      track(startDepartmentSimulator({ ...common, secret: secret('departments'), callbackUrl: callback('department') })),
      track(startMessagingSimulator({ ...common, secret: secret('messaging') })),
    ]);
    const urls = { identity: identity.url, certificates: certificates.url, payment: payment.url, logistics: logistics.url, departments: departments.url, messaging: messaging.url };
    return { identity, certificates, payment, logistics, departments, messaging, urls, close: closeAll };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
