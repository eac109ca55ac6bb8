/**
 * Starts every platform simulator on a free loopback port: identity, e-certificates, payment,
 * logistics, department systems, messaging and the provincial platform. Used by `npm start` and integration tests.
 */
import { startCertificateSimulator, type CertificateControl } from './certificates';
import { startDepartmentSimulator, type DepartmentControl } from './departments';
import { startIdentitySimulator, type IdentityControl } from './identity';
import type { CallbackRetry, RunningSimulator } from './kit';
import { startLogisticsSimulator, type LogisticsControl } from './logistics';
import { startMessagingSimulator, type MessagingControl } from './messaging';
import { startPaymentSimulator, type PaymentControl } from './payment';
import { startProvinceSimulator, type ProvinceControl } from './province';

export type PlatformName = 'identity' | 'certificates' | 'payment' | 'logistics' | 'departments' | 'messaging' | 'province';

export interface AllSimulatorsOptions {
  /** One secret for all platforms unless `secrets` names another. */
  secret: string;
  secrets?: Partial<Record<PlatformName, string>>;
  /**
   * The API's base URL: callbacks go to `<base>/callbacks/payment`, `/callbacks/logistics`,
   * `/callbacks/department`, `/callbacks/identity` and `/callbacks/province`. Without it callbacks are logged and not sent until configured.
   */
  callbackBaseUrl?: string;
  hangMs?: number;
  /** Keep each platform's data in `<dataDir>/simulators/<platform>.json` and load it at start; without it, memory only. */
  dataDir?: string;
  /** How undelivered callbacks are retried (defaults in simulator.ts: over a day, backing off to 5 minutes). */
  callbackRetry?: Partial<CallbackRetry>;
}

export interface AllSimulators {
  identity: RunningSimulator<IdentityControl>;
  certificates: RunningSimulator<CertificateControl>;
  payment: RunningSimulator<PaymentControl>;
  logistics: RunningSimulator<LogisticsControl>;
  departments: RunningSimulator<DepartmentControl>;
  messaging: RunningSimulator<MessagingControl>;
  province: RunningSimulator<ProvinceControl>;
  urls: Record<PlatformName, string>;
  close(): Promise<void>;
}

/** Starts all seven; if one fails to start, the others are closed again. */
export async function startAllSimulators(opts: AllSimulatorsOptions): Promise<AllSimulators> {
  const secret = (p: PlatformName) => opts.secrets?.[p] ?? opts.secret;
  const callback = (path: string) => (opts.callbackBaseUrl ? `${opts.callbackBaseUrl.replace(/\/$/, '')}/callbacks/${path}` : undefined);
  const common = { hangMs: opts.hangMs, dataDir: opts.dataDir, callbackRetry: opts.callbackRetry };
  const starting = [
    startIdentitySimulator({ ...common, secret: secret('identity'), callbackUrl: callback('identity') }),
    startCertificateSimulator({ ...common, secret: secret('certificates') }),
    startPaymentSimulator({ ...common, secret: secret('payment'), callbackUrl: callback('payment') }),
    startLogisticsSimulator({ ...common, secret: secret('logistics'), callbackUrl: callback('logistics') }),
    startDepartmentSimulator({ ...common, secret: secret('departments'), callbackUrl: callback('department') }),
    startMessagingSimulator({ ...common, secret: secret('messaging') }),
    startProvinceSimulator({ ...common, secret: secret('province'), callbackUrl: callback('province') }),
  ] as const;
  const settled = await Promise.allSettled(starting);
  const started = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const close = async () => {
    await Promise.allSettled(started.map((s) => s.close()));
  };
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) {
    await close();
    throw failed.reason;
  }
  const [identity, certificates, payment, logistics, departments, messaging, province] = await Promise.all(starting);
  const urls = { identity: identity.url, certificates: certificates.url, payment: payment.url, logistics: logistics.url, departments: departments.url, messaging: messaging.url, province: province.url };
  return { identity, certificates, payment, logistics, departments, messaging, province, urls, close };
}
