/**
 * The external platforms as the worker uses them: one HTTP client each, built from configuration.
 * Department systems are reached under the departments platform, one path per department.
 */
import { CertificateClient, type CertificatePlatform } from '../adapters/certificates';
import { DepartmentSystemsClient, type DepartmentSystems } from '../adapters/departments';
import type { RetryPolicy } from '../adapters/http';
import { IdentityClient, type IdentityPlatform } from '../adapters/identity';
import { LogisticsClient, type LogisticsPlatform } from '../adapters/logistics';
import { NotifierClient, type Notifier } from '../adapters/messaging';
import { PaymentClient, type PaymentPlatform } from '../adapters/payment';
import { ProvincialExchangeClient, type ProvincialExchange } from '../adapters/province';
import { platformNames, type PlatformName } from './config';
import { ConfigError } from './errors';

export interface Platforms {
  identity: IdentityPlatform;
  certificates: CertificatePlatform;
  payment: PaymentPlatform;
  logistics: LogisticsPlatform;
  departments: DepartmentSystems;
  notifier: Notifier;
  /**
   * The messaging platform as the supervision sweep's outbox uses it: one attempt per notice, no
   * retries of its own, because a notice it does not take stays in the outbox for the next round;
   * so a notifier that hangs holds a sweep round for one timeout, not for every retry.
   */
  outboxNotifier: Notifier;
  /** The provincial platform's case-data exchange (同源发布), used by the exchange dispatcher. */
  province: ProvincialExchange;
}

export interface PlatformOptions {
  urls: Partial<Record<PlatformName, string>>;
  secret: string;
  departmentCodes: string[];
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
}

export function createPlatforms(o: PlatformOptions): Platforms {
  const missing = platformNames.filter((p) => !o.urls[p]);
  if (missing.length) {
    throw new ConfigError(`no URL for the ${missing.join(', ')} platform(s); set ${missing.map((p) => `${p.toUpperCase()}_URL`).join(', ')}, or run \`npm start\`, which starts simulators`);
  }
  const base = (p: PlatformName) => ({ baseUrl: o.urls[p]!, secret: o.secret, timeoutMs: o.timeoutMs, retry: o.retry });
  const directory = Object.fromEntries(o.departmentCodes.map((code) => [code, { baseUrl: `${o.urls.departments!}/departments/${encodeURIComponent(code)}`, secret: o.secret }]));
  return {
    identity: new IdentityClient(base('identity')),
    certificates: new CertificateClient(base('certificates')),
    payment: new PaymentClient(base('payment')),
    logistics: new LogisticsClient(base('logistics')),
    departments: new DepartmentSystemsClient(directory, { timeoutMs: o.timeoutMs, retry: o.retry }),
    notifier: new NotifierClient(base('messaging')),
    outboxNotifier: new NotifierClient({ ...base('messaging'), retry: { ...o.retry, attempts: 1 } }),
    province: new ProvincialExchangeClient(base('province')),
  };
}
