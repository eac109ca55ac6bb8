import { expect } from 'chai';
import { createTimeSkippingEnv } from './time-skipping';

describe('time-skipping test server started at a chosen instant', function () {
  this.timeout(60_000);
  it('when started at 18 September 2026, then its clock reads that instant and moves on by sleeps', async () => {
    const env = await createTimeSkippingEnv('2026-09-18T02:00:00Z');
    try {
      const t0 = await env.currentTimeMs();
      expect(t0 - Date.parse('2026-09-18T02:00:00Z')).to.be.within(0, 60_000);
      await env.sleep('3 days');
      expect((await env.currentTimeMs()) - t0).to.be.at.least(3 * 86_400_000);
    } finally {
      await env.teardown();
    }
  });
});
