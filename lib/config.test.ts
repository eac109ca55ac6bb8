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
});
