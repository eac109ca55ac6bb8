import { expect } from 'chai';
import { IdentityClient } from '../adapters/identity';
import { startAllSimulators } from './run-all';

describe('all simulators together', () => {
  it('when all are started, then each answers on its own loopback port, callbacks point at the API, and closing frees them', async () => {
    const all = await startAllSimulators({ secret: 'dev-secret', callbackBaseUrl: 'http://127.0.0.1:3000/' });
    const urls = Object.values(all.urls);
    try {
      expect(urls).to.have.length(7);
      expect(new Set(urls).size).to.equal(7);
      for (const url of urls) {
        expect(url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
        expect((await fetch(`${url}/_control/log`)).status).to.equal(200);
      }
      const identity = new IdentityClient({ baseUrl: all.urls.identity, secret: 'dev-secret' });
      expect(await identity.verifyPerson({ idNumber: '330106198503122410', name: '刘建军' })).to.deep.equal({ result: 'match' });
      expect(await all.payment.control.config()).to.deep.equal({ callbackUrl: 'http://127.0.0.1:3000/callbacks/payment' });
      expect(await all.logistics.control.config()).to.deep.equal({ callbackUrl: 'http://127.0.0.1:3000/callbacks/logistics' });
      expect(await all.departments.control.config()).to.deep.equal({ callbackUrl: 'http://127.0.0.1:3000/callbacks/department' });
      expect(await all.province.control.config()).to.deep.equal({ callbackUrl: 'http://127.0.0.1:3000/callbacks/province' });
    } finally {
      await all.close();
    }
    for (const url of urls) expect(await fetch(`${url}/_control/log`).catch((e: unknown) => e)).to.be.instanceOf(Error);
  });
});
