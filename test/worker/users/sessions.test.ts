import { describe, expect, it } from 'vitest';
import type { TokenPair } from '../../../workers/users/service/tokens.ts';
import { call, callJson, expectProblem } from '../../support/http.ts';
import { bearer, clientAddress, login, registerAndLogin } from '../../support/identity.ts';
import { testStores } from '../../support/stores.ts';

const refresh = (refreshToken: string) => callJson('/api/v1/auth/refresh', 'POST', { refreshToken });
const me = (accessToken: string) => call('/api/v1/users/me', { headers: bearer(accessToken) });
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('refresh tokens', () => {
  it('rotate: the new pair works, and the old token replayed after the grace window revokes the family', async () => {
    const user = await registerAndLogin();
    const rotated = (await (await refresh(user.tokens.refreshToken)).json()) as TokenPair;
    expect(rotated.refreshToken).not.toBe(user.tokens.refreshToken);
    expect((await me(rotated.accessToken)).status).toBe(200);

    await pause(1_300); // REFRESH_REUSE_GRACE_SECONDS is 1 in tests
    await expectProblem(await refresh(user.tokens.refreshToken), 401);
    // The whole family is gone: the newest refresh token and its access token too.
    await expectProblem(await refresh(rotated.refreshToken), 401);
    await expectProblem(await me(rotated.accessToken), 401);
    const [session] = await testStores().postgres.query<{ revoke_reason: string }>('select revoke_reason from sessions where id = $1', [user.tokens.sessionId]);
    expect(session?.revoke_reason).toBe('refresh_token_reuse');
  });

  it('20 concurrent refreshes of one token build one chain and all succeed with the same pair', async () => {
    const user = await registerAndLogin();
    const responses = await Promise.all(Array.from({ length: 20 }, () => refresh(user.tokens.refreshToken)));
    expect(responses.map((response) => response.status)).toEqual(Array(20).fill(200));
    const pairs = (await Promise.all(responses.map((response) => response.json()))) as TokenPair[];
    expect(new Set(pairs.map((pair) => pair.refreshToken)).size).toBe(1);
    const [{ count } = { count: 0 }] = await testStores().postgres.query<{ count: number }>(
      'select count(*)::int as count from refresh_tokens where session_id = $1', [user.tokens.sessionId]);
    expect(count).toBe(2); // the original and exactly one child
  });

  it('an access token is not a refresh token, and garbage is refused', async () => {
    const user = await registerAndLogin();
    await expectProblem(await refresh(user.tokens.accessToken), 401);
    await expectProblem(await refresh('x'.repeat(40)), 401);
  });
});

describe('logout and sessions', () => {
  it('logout ends the session at once: access and refresh tokens stop working', async () => {
    const user = await registerAndLogin();
    expect((await call('/api/v1/auth/logout', { method: 'POST', headers: bearer(user.tokens.accessToken) })).status).toBe(204);
    await expectProblem(await me(user.tokens.accessToken), 401);
    await expectProblem(await refresh(user.tokens.refreshToken), 401);
  });

  it('lists the caller\'s sessions and revokes one; another user\'s session is not found', async () => {
    const user = await registerAndLogin();
    const second = await login(user.email, user.password, clientAddress());
    const other = await registerAndLogin();
    const listed = (await (await call('/api/v1/auth/sessions', { headers: bearer(user.tokens.accessToken) })).json()) as Array<{ id: string; current: boolean }>;
    expect(listed.map((session) => session.id).sort()).toEqual([user.tokens.sessionId, second.sessionId].sort());
    expect(listed.find((session) => session.current)?.id).toBe(user.tokens.sessionId);

    await expectProblem(await call(`/api/v1/auth/sessions/${other.tokens.sessionId}`, { method: 'DELETE', headers: bearer(user.tokens.accessToken) }), 404);
    expect((await me(other.tokens.accessToken)).status).toBe(200);
    expect((await call(`/api/v1/auth/sessions/${second.sessionId}`, { method: 'DELETE', headers: bearer(user.tokens.accessToken) })).status).toBe(204);
    await expectProblem(await me(second.accessToken), 401);
    expect((await me(user.tokens.accessToken)).status).toBe(200);
  });

  it('log out everywhere ends every session', async () => {
    const user = await registerAndLogin();
    const second = await login(user.email, user.password, clientAddress());
    expect((await call('/api/v1/auth/sessions', { method: 'DELETE', headers: bearer(user.tokens.accessToken) })).status).toBe(200);
    await expectProblem(await me(user.tokens.accessToken), 401);
    await expectProblem(await me(second.accessToken), 401);
  });

  it('a password change ends the other sessions, keeps this one, and needs the current password', async () => {
    const user = await registerAndLogin();
    const second = await login(user.email, user.password, clientAddress());
    const change = (currentPassword: string) => callJson('/api/v1/auth/password/change', 'POST', { currentPassword, newPassword: 'a fresh long passphrase' }, bearer(user.tokens.accessToken));
    await expectProblem(await change('not my password'), 401);
    expect((await change(user.password)).status).toBe(200);
    await expectProblem(await me(second.accessToken), 401);
    expect((await me(user.tokens.accessToken)).status).toBe(200);
    await login(user.email, 'a fresh long passphrase', clientAddress());
  });

  it('session routes need a token', async () => {
    for (const [path, method] of [['/api/v1/auth/sessions', 'GET'], ['/api/v1/auth/logout', 'POST'], ['/api/v1/auth/sessions', 'DELETE']] as const) {
      await expectProblem(await call(path, { method }), 401);
    }
  });
});
