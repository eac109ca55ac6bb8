/**
 * A session's principal is read with the staff member's current state in one query: a disabled
 * account is refused at once with its session still valid, a signed-out one is refused, and the
 * account's roles and department are today's, not the ones it signed in with.
 */
import { expect } from 'chai';
import { asStaff, http, sharedStack, type Stack } from '../test/harness';

describe('sessions: who the caller is, read fresh on every request', function () {
  this.timeout(60_000);
  let stack: Stack;
  before(async () => {
    stack = await sharedStack();
  });
  after(async () => {
    await stack.db('staff_users').where({ id: 'supervisor-zhao' }).update({ disabled: false, roles: ['supervisor'] });
    await stack?.stop();
  });

  it('when a staff member is disabled, then their open session is refused with 401; enabled again, it works; a role taken away is gone on the next request', async () => {
    const zhao = await asStaff(stack, 'supervisor-zhao');
    const me = await http(stack, 'GET', '/api/auth/me', undefined, zhao);
    expect(me.status).to.equal(200);
    expect(me.body).to.deep.include({ id: 'supervisor-zhao', name: '赵敏', department: 'zj-zwfw', roles: ['supervisor'] });

    await stack.db('staff_users').where({ id: 'supervisor-zhao' }).update({ disabled: true });
    const refused = await http(stack, 'GET', '/api/auth/me', undefined, zhao);
    expect(refused.status).to.equal(401);
    expect(refused.body.detail).to.equal('this staff account is disabled');

    await stack.db('staff_users').where({ id: 'supervisor-zhao' }).update({ disabled: false, roles: ['clerk'] });
    const changed = await http(stack, 'GET', '/api/auth/me', undefined, zhao);
    expect(changed.status).to.equal(200);
    expect(changed.body.roles).to.deep.equal(['clerk']);
    await stack.db('staff_users').where({ id: 'supervisor-zhao' }).update({ roles: ['supervisor'] });
  });

  it('when a token is unknown, then 401 and nothing else is read', async () => {
    const r = await http(stack, 'GET', '/api/auth/me', undefined, { authorization: 'Bearer no-such-token' });
    expect(r.status).to.equal(401);
    expect(r.body.detail).to.equal('the token is not valid; sign in again');
  });
});
