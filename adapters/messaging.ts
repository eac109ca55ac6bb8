/**
 * Messaging (消息): SMS to a phone and in-app messages to a user, each sent once per key.
 */
import { AdapterRefusal } from './errors';
import { idempotencyKey, PlatformHttp, type PlatformConfig } from './http';

export interface Sms {
  phone: string;
  /** Template code registered with the SMS gateway, e.g. case-accepted. */
  template: string;
  params: Record<string, string>;
}

export interface InAppMessage {
  userId: string;
  title: string;
  body: string;
  caseNo?: string;
}

export interface Notifier {
  sms(m: Sms, key: string): Promise<{ messageId: string }>;
  inApp(m: InAppMessage, key: string): Promise<{ messageId: string }>;
}

const platform = 'messaging';

export class NotifierClient implements Notifier {
  private readonly http: PlatformHttp;

  constructor(config: PlatformConfig) {
    this.http = new PlatformHttp(platform, config);
  }

  async sms(m: Sms, key: string): Promise<{ messageId: string }> {
    if (!/^1[3-9]\d{9}$/.test(m.phone)) throw new AdapterRefusal(platform, 'invalid-phone', '手机号码格式不正确');
    return await this.http.call('POST', '/sms', { body: m, idempotencyKey: idempotencyKey('message.sms', key) });
  }

  async inApp(m: InAppMessage, key: string): Promise<{ messageId: string }> {
    return await this.http.call('POST', '/in-app', { body: m, idempotencyKey: idempotencyKey('message.in-app', key) });
  }
}
