import { env } from 'cloudflare:test';
import { Secret, TOTP } from 'otpauth';
import { describe, expect, it } from 'vitest';
import { decryptSecret } from '../../../shared/auth/encryption.ts';
import type { TokenPair } from '../../../workers/users/service/tokens.ts';
import { call, callJson, expectProblem } from '../../support/http.ts';
import { awaitEmail, bearer, clientAddress, registerAndLogin, tokenFromEmail, type TestUser } from '../../support/identity.ts';
import { testStores } from '../../support/stores.ts';
import { eventually } from '../../support/wait.ts';

interface Challenge { mfaRequired: true; mfaToken: string; expiresIn: number }
interface Enabled { user: TestUser; secret: string; backupCodes: string[] }

const STEP_MS = 30_000;
const post = (path: string, body: unknown, headers: Record<string, string> = {}) => callJson(`/api/v1/auth${path}`, 'POST', body, { 'cf-connecting-ip': clientAddress(), ...headers });
const authed = (user: TestUser, path: string, body: unknown = {}) => post(path, body, bearer(user.tokens.accessToken));
const me = (token: string) => call('/api/v1/users/me', { headers: bearer(token) });
const { postgres, mongo } = testStores();

/** The code of the step `steps` away from now: confirm uses -1, later calls 0 and +1 (all in the ±1 window). */
const codeAt = (secret: string, steps = 0) => TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: Date.now() + steps * STEP_MS });

// Codes of three consecutive steps are in play; start well inside a step so none drops out mid-test
// (and so away from the 15-minute throttle windows too, whose edges are step edges).
async function awayFromStepEdge(): Promise<void> {
  const left = STEP_MS - (Date.now() % STEP_MS);
  if (left < 8_000) await new Promise((resolve) => setTimeout(resolve, left + 250));
}

/** A 6-digit code that is none of the codes the server accepts right now. */
function wrongCodeFor(secret: string): string {
  const valid = new Set([-2, -1, 0, 1, 2].map((steps) => codeAt(secret, steps)));
  for (let candidate = 0; ; candidate += 1) {
    const code = String(candidate).padStart(6, '0');
    if (!valid.has(code)) return code;
  }
}

/** A fresh user with two-factor set up and confirmed with the previous step's code. */
async function enabledUser(): Promise<Enabled> {
  await awayFromStepEdge();
  const user = await registerAndLogin();
  const setup = await authed(user, '/2fa/setup');
  expect(setup.status).toBe(200);
  const { secret, otpauthUri } = (await setup.json()) as { secret: string; otpauthUri: string };
  expect(secret).toMatch(/^[A-Z2-7]{32}$/); // 20 bytes, base32
  expect(otpauthUri).toMatch(/^otpauth:\/\/totp\/Flow:/);
  expect(otpauthUri).toContain(`secret=${secret}`);
  expect(otpauthUri).toContain('issuer=Flow');
  expect(decodeURIComponent(otpauthUri)).toContain(user.email);
  const confirm = await authed(user, '/2fa/confirm', { code: codeAt(secret, -1) });
  expect(confirm.status).toBe(200);
  const { backupCodes } = (await confirm.json()) as { backupCodes: string[] };
  expect(backupCodes).toHaveLength(10);
  expect(new Set(backupCodes).size).toBe(10);
  for (const code of backupCodes) expect(code).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
  return { user, secret, backupCodes };
}

async function challenge(user: TestUser): Promise<string> {
  const response = await post('/login', { email: user.email, password: user.password }, { 'cf-connecting-ip': user.ip });
  expect(response.status).toBe(200);
  const body = (await response.json()) as Challenge | TokenPair;
  expect(body).toEqual({ mfaRequired: true, mfaToken: expect.any(String), expiresIn: 300 });
  return (body as Challenge).mfaToken;
}

const secondStep = (mfaToken: string, code: string) => post('/login/2fa', { mfaToken, code });
const sessionCount = async (accountId: string) => Number((await postgres.query<{ n: string }>('select count(*) as n from sessions where account_id = $1', [accountId]))[0]!.n);

describe('two-factor: setup and login', () => {
  it('setup, confirm, then login asks for the second step and a TOTP code gives working tokens', async () => {
    const { user, secret } = await enabledUser();
    const sessionsBefore = await sessionCount(user.id);
    const mfaToken = await challenge(user);
    expect(await sessionCount(user.id)).toBe(sessionsBefore); // the password alone opened nothing

    const response = await secondStep(mfaToken, codeAt(secret));
    expect(response.status).toBe(200);
    const tokens = (await response.json()) as TokenPair;
    expect(tokens).toMatchObject({ tokenType: 'Bearer', accessToken: expect.any(String), refreshToken: expect.any(String), sessionId: expect.any(String) });
    const profile = await me(tokens.accessToken);
    expect(profile.status).toBe(200);
    expect(await profile.json()).toMatchObject({ id: user.id, twoFactorEnabled: true });
    const [session] = await postgres.query<{ mfa_verified_at: Date | null }>('select mfa_verified_at from sessions where id = $1', [tokens.sessionId]);
    expect(session?.mfa_verified_at).toBeInstanceOf(Date);
    expect((await post('/refresh', { refreshToken: tokens.refreshToken })).status).toBe(200);
  });

  it('stores the secret encrypted and the backup codes as keyed hashes; setup again is refused', async () => {
    await awayFromStepEdge();
    const user = await registerAndLogin();
    const { secret } = (await (await authed(user, '/2fa/setup')).json()) as { secret: string };
    const [row] = await postgres.query<{ totp_secret_encrypted: string; totp_enabled_at: Date | null }>('select totp_secret_encrypted, totp_enabled_at from accounts where id = $1', [user.id]);
    expect(row?.totp_enabled_at).toBeNull(); // not enabled before a code is confirmed
    expect(row?.totp_secret_encrypted).toMatch(/^k1:[A-Za-z0-9_-]+$/);
    expect(row?.totp_secret_encrypted).not.toContain(secret);
    expect(row?.totp_secret_encrypted.toLowerCase()).not.toContain(secret.toLowerCase());
    expect(await decryptSecret(env.DATA_ENCRYPTION_KEY, row!.totp_secret_encrypted, user.id)).toBe(secret);
    await expect(decryptSecret(env.DATA_ENCRYPTION_KEY, row!.totp_secret_encrypted, crypto.randomUUID())).rejects.toThrow(); // bound to its account

    await expectProblem(await authed(user, '/2fa/confirm', { code: wrongCodeFor(secret) }), 401);
    const confirm = await authed(user, '/2fa/confirm', { code: codeAt(secret) });
    expect(confirm.status).toBe(200);
    const { backupCodes } = (await confirm.json()) as { backupCodes: string[] };
    const stored = await postgres.query<{ code_hash: string }>('select code_hash from backup_codes where account_id = $1', [user.id]);
    expect(stored).toHaveLength(10);
    for (const { code_hash } of stored) {
      expect(code_hash).toMatch(/^[0-9a-f]{64}$/);
      for (const code of backupCodes) expect(code_hash).not.toContain(code.replace('-', ''));
    }
    expect((await expectProblem(await authed(user, '/2fa/setup'), 409)).code).toBe('conflict');
    await expectProblem(await authed(user, '/2fa/confirm', { code: codeAt(secret, 1) }), 409);
  });

  it('publishes a security alert when two-factor is turned on and off', async () => {
    const { user, backupCodes } = await enabledUser();
    expect((await authed(user, '/2fa/disable', { password: user.password, code: backupCodes[0] })).status).toBe(204);
    const alerts = await eventually(
      () => mongo.collection<{ payload: { kind: string } }>('audit_events').find({ type: 'security.alert', 'payload.userId': user.id }),
      (found) => found.length >= 2,
    );
    expect(alerts.map((alert) => alert.payload.kind)).toEqual(['two_factor_changed', 'two_factor_changed']);
  });
});

describe('two-factor: every code works once', () => {
  it('one TOTP code submitted twice at once (two challenges): exactly one session', async () => {
    const { user, secret } = await enabledUser();
    const [first, second] = [await challenge(user), await challenge(user)];
    const code = codeAt(secret);
    const responses = await Promise.all([secondStep(first, code), secondStep(second, code)]);
    expect(responses.map((response) => response.status).sort()).toEqual([200, 401]);
    await expectProblem(responses.find((response) => response.status === 401)!, 401);
    // An older step is no better than the same one.
    await expectProblem(await secondStep(await challenge(user), codeAt(secret, -1)), 401);
  });

  it('one backup code submitted twice at once: exactly one session; used, it fails later', async () => {
    const { user, backupCodes } = await enabledUser();
    const [first, second] = [await challenge(user), await challenge(user)];
    const code = backupCodes[3]!;
    const responses = await Promise.all([secondStep(first, code), secondStep(second, code)]);
    expect(responses.map((response) => response.status).sort()).toEqual([200, 401]);
    await Promise.all(responses.map((response) => response.body?.cancel()));
    await expectProblem(await secondStep(await challenge(user), code.toUpperCase()), 401);
    const [row] = await postgres.query<{ used: string }>('select count(*) filter (where used_at is not null) as used from backup_codes where account_id = $1', [user.id]);
    expect(Number(row?.used)).toBe(1);
  });

  it('a wrong code is 401 and opens no session; the challenge then works once and is no access token', async () => {
    const { user, secret } = await enabledUser();
    const sessionsBefore = await sessionCount(user.id);
    const mfaToken = await challenge(user);
    expect((await expectProblem(await secondStep(mfaToken, wrongCodeFor(secret)), 401)).code).toBe('unauthorized');
    expect(await sessionCount(user.id)).toBe(sessionsBefore);

    const response = await secondStep(mfaToken, codeAt(secret)); // a typo does not cost the challenge
    expect(response.status).toBe(200);
    await response.body?.cancel();
    await expectProblem(await secondStep(mfaToken, codeAt(secret, 1)), 401); // reused
    await expectProblem(await me(mfaToken), 401); // not an access token
    await expectProblem(await secondStep(user.tokens.accessToken, codeAt(secret, 1)), 401); // an access token is no challenge
    await expectProblem(await secondStep(user.tokens.refreshToken, codeAt(secret, 1)), 401);
    expect(await sessionCount(user.id)).toBe(sessionsBefore + 1);
  });

  it('throttles code attempts per account', async () => {
    const { user, secret } = await enabledUser(); // confirm counted once
    const mfaToken = await challenge(user);
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const response = await secondStep(mfaToken, wrongCodeFor(secret));
      statuses.push(response.status);
      if (response.status === 429) expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
      await response.body?.cancel();
    }
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
    await expectProblem(await secondStep(mfaToken, codeAt(secret)), 429); // even the right code, until the window ends
  });
});

describe('two-factor: disable, backup codes, password reset', () => {
  it('disable needs the password and a code, then removes the secret and the backup codes', async () => {
    const { user, secret, backupCodes } = await enabledUser();
    await expectProblem(await authed(user, '/2fa/disable', { password: 'not the password at all', code: codeAt(secret) }), 401);
    await expectProblem(await authed(user, '/2fa/disable', { password: user.password, code: wrongCodeFor(secret) }), 401);
    await expectProblem(await authed(user, '/2fa/disable', { password: user.password }), 400);
    expect((await authed(user, '/2fa/disable', { password: user.password, code: backupCodes[0] })).status).toBe(204);

    const [row] = await postgres.query<{ totp_secret_encrypted: string | null; totp_enabled_at: Date | null }>('select totp_secret_encrypted, totp_enabled_at from accounts where id = $1', [user.id]);
    expect(row).toEqual({ totp_secret_encrypted: null, totp_enabled_at: null });
    expect(await postgres.query('select 1 from backup_codes where account_id = $1', [user.id])).toEqual([]);
    const login = await post('/login', { email: user.email, password: user.password }, { 'cf-connecting-ip': user.ip });
    expect(await login.json()).toMatchObject({ tokenType: 'Bearer', accessToken: expect.any(String) });
    await expectProblem(await authed(user, '/2fa/disable', { password: user.password, code: backupCodes[1] }), 409);
  });

  it('regenerating backup codes invalidates the old ones', async () => {
    const { user, backupCodes: old } = await enabledUser();
    const response = await authed(user, '/2fa/backup-codes', { code: old[0] });
    expect(response.status).toBe(200);
    const { backupCodes: fresh } = (await response.json()) as { backupCodes: string[] };
    expect(fresh).toHaveLength(10);
    expect(fresh.some((code) => old.includes(code))).toBe(false);
    await expectProblem(await secondStep(await challenge(user), old[1]!), 401);
    const login = await secondStep(await challenge(user), fresh[0]!);
    expect(login.status).toBe(200);
    await login.body?.cancel();
  });

  it('a password reset does not bypass two-factor, and voids a challenge issued before it', async () => {
    const { user, secret, backupCodes } = await enabledUser();
    const before = await challenge(user);
    expect((await post('/password/forgot', { email: user.email })).status).toBe(202);
    const token = tokenFromEmail(await awaitEmail(user.email, 'password_reset'));
    const password = 'a fresh long passphrase 7';
    expect((await post('/password/reset', { token, password })).status).toBe(204);

    await expectProblem(await secondStep(before, backupCodes[0]!), 401);
    const after = await challenge({ ...user, password });
    const response = await secondStep(after, codeAt(secret));
    expect(response.status).toBe(200);
    expect((await me(((await response.json()) as TokenPair).accessToken)).status).toBe(200);
    // The refused challenge did not use the backup code up.
    const again = await secondStep(await challenge({ ...user, password }), backupCodes[0]!);
    expect(again.status).toBe(200);
    await again.body?.cancel();
  });
});

describe('two-factor: guards', () => {
  it('the setup routes need an access token', async () => {
    for (const path of ['/2fa/setup', '/2fa/confirm', '/2fa/disable', '/2fa/backup-codes']) {
      await expectProblem(await post(path, { code: '123456', password: 'whatever it is' }), 401);
    }
    const user = await registerAndLogin();
    await expectProblem(await authed(user, '/2fa/confirm', { code: '123456' }), 409); // no setup yet
    await expectProblem(await authed(user, '/2fa/backup-codes', { code: '123456' }), 409); // not enabled
  });

  it('refuses hostile and malformed bodies with 400', async () => {
    const user = await registerAndLogin();
    const cases: Array<[string, unknown]> = [
      ['/2fa/confirm', { code: '123456', enabled: true }],
      ['/2fa/confirm', { code: { $ne: '' } }],
      ['/2fa/confirm', { $where: '1', code: '123456' }],
      ['/2fa/confirm', { code: '12345a' }],
      ['/2fa/disable', { password: user.password, code: '123456', userId: crypto.randomUUID() }],
      ['/2fa/disable', { password: { $gt: '' }, code: '123456' }],
      ['/2fa/backup-codes', { code: ['123456'] }],
      ['/2fa/backup-codes', JSON.parse('{"code":"123456","__proto__":{"admin":true}}')],
    ];
    for (const [path, body] of cases) await expectProblem(await authed(user, path, body), 400);
    const loginCases: unknown[] = [
      { mfaToken: 'x'.repeat(40), code: '123456', sub: user.id },
      { mfaToken: { $ne: null }, code: '123456' },
      { mfaToken: 'x'.repeat(40), code: '12;456' },
      { code: '123456' },
    ];
    for (const body of loginCases) await expectProblem(await post('/login/2fa', body), 400);
    const [row] = await postgres.query<{ totp_secret_encrypted: string | null }>('select totp_secret_encrypted from accounts where id = $1', [user.id]);
    expect(row?.totp_secret_encrypted).toBeNull();
  });

  it('documents the routes in OpenAPI: login answers tokens or a challenge', async () => {
    const document = (await (await call('/openapi.json')).json()) as {
      paths: Record<string, Record<string, { security?: unknown[]; requestBody?: unknown; responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>;
    };
    for (const path of ['/2fa/setup', '/2fa/confirm', '/2fa/disable', '/2fa/backup-codes']) {
      expect(document.paths[`/api/v1/auth${path}`]?.post?.security?.length, path).toBeGreaterThan(0);
    }
    const secondStepOperation = document.paths['/api/v1/auth/login/2fa']?.post;
    expect(secondStepOperation?.security ?? []).toEqual([]);
    expect(secondStepOperation?.requestBody).toBeDefined();
    expect(JSON.stringify(document.paths['/api/v1/auth/login']?.post?.responses['200'])).toContain('LoginResult');
  });
});
