import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { embeddedPassword } from './embedded-password';
import { startEmbeddedDb, type EmbeddedDb } from './pglite-server';
import { freePort } from './servers';

describe('embedded database (PGlite) sign-in', function () {
  this.timeout(60_000);
  let embedded: EmbeddedDb;
  let port: number;
  before(async () => {
    port = await freePort();
    embedded = await startEmbeddedDb('memory://', port, 'the-right-password');
  });
  after(async () => {
    await embedded?.stop();
  });

  async function connect(password: string | undefined): Promise<string> {
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', password });
    try {
      await client.connect();
      const r = await client.query<{ n: number }>('select 1 as n');
      return `ok ${r.rows[0].n}`;
    } catch (err) {
      return `refused ${(err as { code?: string }).code ?? (err as Error).message}`;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  it('when a local user connects without the password or with a wrong one, then it is refused; with it, it is served', async () => {
    expect(await connect('wrong')).to.equal('refused 28P01');
    expect(await connect('')).to.match(/^refused/);
    expect(await connect('the-right-password')).to.equal('ok 1');
    const viaUrl = new pg.Client({ connectionString: embedded.url });
    await viaUrl.connect();
    expect((await viaUrl.query('select 2 as n')).rows[0].n).to.equal(2);
    await viaUrl.end();
  });

  it('when the data folder has no password yet, then one is generated once, private to the owner, and kept', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onewindow-data-'));
    try {
      const first = embeddedPassword(dir);
      expect(first).to.have.length.greaterThan(20);
      expect(embeddedPassword(dir)).to.equal(first);
      expect(fs.statSync(path.join(dir, 'pglite-password')).mode & 0o077).to.equal(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
