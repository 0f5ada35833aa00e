import { SignJWT, decodeJwt, exportJWK, generateKeyPair } from 'jose';
import { env } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import { loadKeyRing } from '../../../shared/auth/keys.ts';
import { signToken, verifyToken } from '../../../shared/auth/tokens.ts';
import { call, expectProblem } from '../../support/http.ts';
import { bearer, registerAndLogin } from '../../support/identity.ts';

const me = (token: string) => call('/api/v1/users/me', { headers: bearer(token) });
const base64url = (text: string) => btoa(text).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');

describe('access tokens (RFC 8725)', () => {
  it('carry the seed\'s claims and are verified with the JWKS key', async () => {
    const user = await registerAndLogin();
    const claims = decodeJwt(user.tokens.accessToken);
    expect(claims).toMatchObject({ sub: user.id, email: user.email, username: user.username, role: 'user', permissions: [], sessionId: user.tokens.sessionId, iss: 'flow-app', aud: 'flow-users', token_use: 'access' });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(900);
    const jwks = (await (await call('/.well-known/jwks.json')).json()) as { keys: Array<{ kid: string; alg: string; d?: string }> };
    expect(jwks.keys[0]).toMatchObject({ alg: 'EdDSA', kty: 'OKP' });
    expect(jwks.keys.every((key) => key.d === undefined)).toBe(true);
  });

  it('refuses alg none, HS256 keyed with the public key, wrong aud or iss, expired, and refresh tokens', async () => {
    const user = await registerAndLogin();
    const ring = await loadKeyRing(env.JWT_PRIVATE_KEYS);
    const claims = decodeJwt(user.tokens.accessToken);
    const [header] = user.tokens.accessToken.split('.');
    const unsigned = `${base64url(JSON.stringify({ alg: 'none', typ: 'access+jwt' }))}.${user.tokens.accessToken.split('.')[1]}.`;
    const publicKeyBytes = new TextEncoder().encode(JSON.stringify(ring.publicJwks[0]));
    const hs256 = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: ring.activeKid, typ: 'access+jwt' }).sign(publicKeyBytes);
    const sign = () => signToken(ring, 'access', { ...claims, sub: user.id }, 900);
    const refreshUseInAccessType = await new SignJWT({ ...claims, token_use: 'refresh' }).setProtectedHeader({ alg: 'EdDSA', kid: ring.activeKid, typ: 'access+jwt' }).sign(ring.signingKey);
    const wrongAudience = await new SignJWT({ ...claims, aud: 'someone-else' }).setProtectedHeader({ alg: 'EdDSA', kid: ring.activeKid, typ: 'access+jwt' }).sign(ring.signingKey);
    const wrongIssuer = await new SignJWT({ ...claims, iss: 'evil' }).setProtectedHeader({ alg: 'EdDSA', kid: ring.activeKid, typ: 'access+jwt' }).sign(ring.signingKey);
    const expired = await new SignJWT({ ...claims, exp: Math.floor(Date.now() / 1000) - 60 }).setProtectedHeader({ alg: 'EdDSA', kid: ring.activeKid, typ: 'access+jwt' }).sign(ring.signingKey);
    const { privateKey } = await generateKeyPair('EdDSA', { extractable: true });
    const foreignKey = await new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', kid: ring.activeKid, typ: 'access+jwt' }).sign(privateKey);
    const unknownKid = await new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', kid: 'not-ours', typ: 'access+jwt', jwk: await exportJWK(privateKey) }).sign(privateKey);
    const forged = [
      unsigned, hs256, wrongAudience, wrongIssuer, expired, foreignKey, unknownKid,
      user.tokens.refreshToken,
      refreshUseInAccessType,
      `${header}.e30.`,
    ];
    for (const token of forged) await expectProblem(await me(token), 401);
    expect((await me(await sign())).status).toBe(200); // the control: a genuine token passes
  });

  it('checks the times of an access token verified before on every use, and never takes it for another kind', async () => {
    const ring = await loadKeyRing(env.JWT_PRIVATE_KEYS);
    const token = await signToken(ring, 'access', { sub: 'someone', sessionId: 'some-session' }, 60);
    expect((await verifyToken(ring, token, 'access')).sub).toBe('someone');
    expect((await verifyToken(ring, token, 'access')).sub).toBe('someone');
    await expect(verifyToken(ring, token, 'refresh')).rejects.toMatchObject({ code: 'unauthorized' });
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 70_000);
      await expect(verifyToken(ring, token, 'access')).rejects.toMatchObject({ code: 'unauthorized' });
      vi.setSystemTime(Date.now() - 140_000);
      await expect(verifyToken(ring, token, 'access')).rejects.toMatchObject({ code: 'unauthorized' });
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses requests without a bearer token', async () => {
    await expectProblem(await call('/api/v1/users/me'), 401);
    await expectProblem(await call('/api/v1/users/me', { headers: { authorization: 'Basic abc' } }), 401);
  });
});
