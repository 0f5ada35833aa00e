import { describe, expect, it } from 'vitest';
import { call, callJson, expectProblem } from '../../support/http.ts';
import { awaitEmail, bearer, clientAddress, login, registerAndLogin, STRONG_PASSWORD, tokenFromEmail } from '../../support/identity.ts';
import { testStores } from '../../support/stores.ts';
import { eventually } from '../../support/wait.ts';

const post = (path: string, body: unknown, ip = clientAddress()) => callJson(`/api/v1/auth${path}`, 'POST', body, { 'cf-connecting-ip': ip });

describe('register', () => {
  it('creates an account, emails a verification link that works once', async () => {
    const user = await registerAndLogin();
    const token = tokenFromEmail(await awaitEmail(user.email, 'email_verification'));
    expect((await post('/verify-email', { token })).status).toBe(204);
    await expectProblem(await post('/verify-email', { token }), 400);
    const me = await call('/api/v1/users/me', { headers: bearer(user.tokens.accessToken) });
    expect(await me.json()).toMatchObject({ id: user.id, email: user.email, emailVerified: true, role: 'user' });
  });

  it('answers a known email exactly like a new one, and tells the owner by email', async () => {
    const user = await registerAndLogin();
    const again = await post('/register', { email: user.email.toUpperCase(), username: `other_${crypto.randomUUID().slice(0, 6)}`, password: STRONG_PASSWORD });
    const fresh = await post('/register', { email: `new-${crypto.randomUUID().slice(0, 8)}@example.com`, username: `new_${crypto.randomUUID().slice(0, 6)}`, password: STRONG_PASSWORD });
    expect(again.status).toBe(202);
    expect(fresh.status).toBe(202);
    expect(await again.text()).toBe(await fresh.text());
    expect(await awaitEmail(user.email, 'register_existing')).toContain('already has a Flow account');
  });

  it('refuses weak passwords, taken usernames and malformed input without creating anything', async () => {
    const email = `weak-${crypto.randomUUID().slice(0, 8)}@example.com`;
    for (const password of ['short', 'password123', 'qwertyuiop']) {
      await expectProblem(await post('/register', { email, username: `weak_${crypto.randomUUID().slice(0, 6)}`, password }), 400);
    }
    const user = await registerAndLogin();
    expect((await expectProblem(await post('/register', { email, username: user.username.toUpperCase(), password: STRONG_PASSWORD }), 409)).code).toBe('conflict');
    await expectProblem(await post('/register', { email, username: 'ok_name', password: STRONG_PASSWORD, role: 'admin' }), 400);
    await expectProblem(await post('/register', { email: 'not-an-email', username: 'ok_name', password: STRONG_PASSWORD }), 400);
    expect(await testStores().postgres.query('select 1 from accounts where lower(email) = lower($1)', [email])).toEqual([]);
  });
});

describe('login', () => {
  it('gives the same 401 for a wrong password and an unknown email', async () => {
    const user = await registerAndLogin();
    const wrong = await post('/login', { email: user.email, password: 'not the password at all' });
    const unknown = await post('/login', { email: `nobody-${crypto.randomUUID()}@example.com`, password: 'not the password at all' });
    const [wrongBody, unknownBody] = [await expectProblem(wrong, 401), await expectProblem(unknown, 401)];
    expect({ ...wrongBody, instance: '' }).toEqual({ ...unknownBody, instance: '' });
  });

  it('records every attempt in the login history', async () => {
    const user = await registerAndLogin();
    await post('/login', { email: user.email, password: 'wrong password here' }, user.ip);
    // Written after the answer (waitUntil), so wait for both entries.
    const history = await eventually(
      () => testStores().mongo.collection<{ result: string; ip: string }>('login_history').find({ accountId: user.id }, { sort: { at: 1 } }),
      (entries) => entries.length >= 2,
    );
    expect(history.map((entry) => entry.result)).toEqual(['success', 'wrong_password']);
    expect(history[0]?.ip).toBe(user.ip);
  });

  it('1,000 concurrent wrong-password logins: no 5xx, one lock, and the owner recovers by reset', async () => {
    const user = await registerAndLogin();
    const responses = await Promise.all(Array.from({ length: 1000 }, () => post('/login', { email: user.email, password: 'guessing wrong' })));
    const statuses = new Set(responses.map((response) => response.status));
    expect([...statuses].every((status) => status === 401 || status === 429)).toBe(true);
    await Promise.all(responses.map((response) => response.body?.cancel()));
    const [account] = await testStores().postgres.query<{ locked_until: Date | null; failed_login_count: number }>('select locked_until, failed_login_count from accounts where id = $1', [user.id]);
    expect(account?.locked_until?.getTime()).toBeGreaterThan(Date.now());
    expect(await awaitEmail(user.email, 'account_locked')).toContain('reset your password');

    // Locked (and throttled): even the right password is refused.
    const refused = await post('/login', { email: user.email, password: user.password });
    expect([401, 429]).toContain(refused.status);
    await refused.body?.cancel();
    expect((await post('/password/forgot', { email: user.email })).status).toBe(202);
    const token = tokenFromEmail(await awaitEmail(user.email, 'password_reset'));
    expect((await post('/password/reset', { token, password: 'a brand new long passphrase' })).status).toBe(204);
    await login(user.email, 'a brand new long passphrase', clientAddress());
  });

  it('throttles per account before checking the password', async () => {
    const user = await registerAndLogin();
    const statuses: number[] = [];
    // Up to 25 tries: the limit is 10 per fixed 15-minute window, and a window may end mid-test.
    for (let attempt = 0; attempt < 25 && !statuses.includes(429); attempt += 1) {
      const response = await post('/login', { email: user.email, password: 'wrong wrong wrong' });
      statuses.push(response.status);
      if (response.status === 429) expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
      await response.body?.cancel();
    }
    expect(statuses).toContain(429);
  });
});

describe('password reset', () => {
  it('answers known and unknown emails alike; a reset token works once and ends every session', async () => {
    const user = await registerAndLogin();
    const known = await post('/password/forgot', { email: user.email });
    const unknown = await post('/password/forgot', { email: `nobody-${crypto.randomUUID()}@example.com` });
    expect(known.status).toBe(202);
    expect(await known.text()).toBe(await unknown.text());
    const token = tokenFromEmail(await awaitEmail(user.email, 'password_reset'));
    await expectProblem(await post('/password/reset', { token, password: 'password' }), 400);
    expect((await post('/password/reset', { token, password: 'another long passphrase' })).status).toBe(204);
    await expectProblem(await post('/password/reset', { token, password: 'yet another passphrase' }), 400);
    await expectProblem(await call('/api/v1/users/me', { headers: bearer(user.tokens.accessToken) }), 401);
  });
});
