import { expect } from 'chai';
import { mallocArenas, platformProcessEnv } from './process-env';

describe('the environment of the platform\'s processes', () => {
  it('when the operator set nothing, then the worker and the API start with two malloc arenas, the rest of the environment as it was', () => {
    const env = platformProcessEnv({ PATH: '/bin', DATABASE_URL: 'postgres://x' });
    expect(env).to.deep.equal({ PATH: '/bin', DATABASE_URL: 'postgres://x', MALLOC_ARENA_MAX: mallocArenas });
    expect(mallocArenas).to.equal('2');
  });

  it('when the operator set MALLOC_ARENA_MAX, then it is kept, and the given environment is not changed', () => {
    const given = { MALLOC_ARENA_MAX: '4' };
    expect(platformProcessEnv(given).MALLOC_ARENA_MAX).to.equal('4');
    const bare = {};
    platformProcessEnv(bare);
    expect(bare).to.deep.equal({});
  });
});
