import { describe, expect, it } from 'vitest';
import { call, callJson, expectProblem } from '../../support/http.ts';
import { bearer, clientAddress, login, registerAndLogin } from '../../support/identity.ts';
import { testStores } from '../../support/stores.ts';

describe('users', () => {
  it('shows the caller everything and others only the public fields', async () => {
    const [alice, bob] = await Promise.all([registerAndLogin(), registerAndLogin()]);
    const own = await (await call(`/api/v1/users/${alice.id}`, { headers: bearer(alice.tokens.accessToken) })).json();
    expect(own).toMatchObject({ id: alice.id, email: alice.email, role: 'user' });
    const other = (await (await call(`/api/users/${alice.id}`, { headers: bearer(bob.tokens.accessToken) })).json()) as Record<string, unknown>;
    expect(other).toMatchObject({ id: alice.id, username: alice.username });
    expect(other.email).toBeUndefined();
    await expectProblem(await call(`/api/v1/users/${crypto.randomUUID()}`, { headers: bearer(bob.tokens.accessToken) }), 404);
    await expectProblem(await call('/api/v1/users/not-a-uuid', { headers: bearer(bob.tokens.accessToken) }), 400);
  });

  it('lets a user update themself, not someone else; an admin may', async () => {
    const [alice, bob, admin] = await Promise.all([registerAndLogin(), registerAndLogin(), registerAndLogin()]);
    await testStores().postgres.query("update accounts set role = 'admin' where id = $1", [admin.id]);
    const adminTokens = await login(admin.email, admin.password, clientAddress()); // role is read at login
    const update = (id: string, token: string, body: unknown) => callJson(`/api/v1/users/${id}`, 'PUT', body, bearer(token));

    expect(await (await update(alice.id, alice.tokens.accessToken, { displayName: 'Alice A.' })).json()).toMatchObject({ displayName: 'Alice A.' });
    await expectProblem(await update(alice.id, bob.tokens.accessToken, { displayName: 'Mallory' }), 403);
    expect((await update(alice.id, adminTokens.accessToken, { displayName: 'Renamed by admin' })).status).toBe(200);
    await expectProblem(await update(alice.id, alice.tokens.accessToken, { username: bob.username }), 409);
    await expectProblem(await update(alice.id, alice.tokens.accessToken, { role: 'admin' }), 400);
    await expectProblem(await update(alice.id, alice.tokens.accessToken, {}), 400);
    await expectProblem(await call(`/api/v1/users/${alice.id}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"displayName":"x"}' }), 401);
  });
});
