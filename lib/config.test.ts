import { expect } from 'chai';
import { loadConfig } from './config';
import { ConfigError } from './errors';

describe('loadConfig', () => {
  it('when nothing is set, then the documented defaults apply', () => {
    const c = loadConfig({ HOME: '/home/x' });
    expect(c).to.include({ port: 8080, host: '127.0.0.1', databaseUrl: undefined, temporalAddress: undefined, temporalNamespace: 'default', taskQueue: 'onewindow-cases', devServerPort: 7233, devServerUiPort: 8233, pglitePort: 54329, logLevel: 'WARN' });
  });

  const bad: [string, Record<string, string>, RegExp][] = [
    ['a non-URL DATABASE_URL', { DATABASE_URL: 'not a url' }, /DATABASE_URL is not a URL/],
    ['another database kind', { DATABASE_URL: 'mysql://u:p@h/db' }, /must start with postgres:\/\//],
    ['no database name', { DATABASE_URL: 'postgres://u:p@h:5432/' }, /names no database/],
    ['a port that is not a number', { PORT: 'http' }, /PORT=http is not a valid port/],
    ['a port out of range', { TEMPORAL_DEV_PORT: '70000' }, /TEMPORAL_DEV_PORT=70000/],
    ['an unknown log level', { LOG_LEVEL: 'LOUD' }, /LOG_LEVEL=LOUD/],
  ];
  for (const [what, env, message] of bad) {
    it(`when given ${what}, then a ConfigError says what to fix`, () => {
      expect(() => loadConfig(env)).to.throw(ConfigError, message);
    });
  }

  describe('in production (NODE_ENV=production)', () => {
    const strong = (c: string) => c.repeat(40);
    const urls = Object.fromEntries(['IDENTITY', 'CERTIFICATES', 'PAYMENT', 'LOGISTICS', 'DEPARTMENTS', 'MESSAGING'].map((p) => [`${p}_URL`, `https://${p.toLowerCase()}.gov.example`]));
    const ready = { NODE_ENV: 'production', SECRET_KEY: strong('s'), PLATFORM_SECRET: strong('p'), AUDIT_KEY: strong('a'), PAYMENT_CASHIER_URL: 'https://pay.gov.example/cashier', ...urls };

    it('when every secret is strong and every platform has a URL, then it starts with no demo password and HSTS on', () => {
      const c = loadConfig(ready);
      expect(c).to.include({ production: true, demoStaffPassword: '', hsts: true });
    });

    const refused: [string, Record<string, string | undefined>, RegExp][] = [
      ['the README\'s SECRET_KEY', { SECRET_KEY: 'onewindow-dev-secret-key' }, /SECRET_KEY is the published development default/],
      ['no PLATFORM_SECRET (the default)', { PLATFORM_SECRET: undefined }, /PLATFORM_SECRET is the published development default/],
      ['no AUDIT_KEY', { AUDIT_KEY: undefined }, /AUDIT_KEY is the published development default/],
      ['a short secret', { SECRET_KEY: 'short-but-not-default' }, /SECRET_KEY is shorter than 32 bytes/],
      ['the same value for two secrets', { AUDIT_KEY: strong('s') }, /must differ/],
      ['a demo password', { DEMO_STAFF_PASSWORD: 'onewindow-demo' }, /DEMO_STAFF_PASSWORD is set/],
      ['a platform left to the simulators', { PAYMENT_URL: undefined }, /no URL for payment; set PAYMENT_URL/],
      ['no public payment page', { PAYMENT_CASHIER_URL: undefined }, /no PAYMENT_CASHIER_URL/],
    ];
    for (const [what, change, message] of refused) {
      it(`when given ${what}, then it refuses to start with a line naming the fix`, () => {
        const env = Object.fromEntries(Object.entries({ ...ready, ...change }).filter(([, v]) => v !== undefined)) as Record<string, string>;
        expect(() => loadConfig(env)).to.throw(ConfigError, message);
      });
    }

    it('when the development defaults of the README are used, then each problem is its own line', () => {
      let message = '';
      try {
        loadConfig({ NODE_ENV: 'production', DEMO_STAFF_PASSWORD: 'onewindow-demo' });
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message.split('\n').filter((l) => l.startsWith('  '))).to.have.length(6);
    });
  });
});
