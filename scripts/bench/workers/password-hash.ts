// Benchmark Worker for the password-hash scenario: hashes one password per request with the default
// policy (/hash/default) or the alternative algorithm at OWASP-equivalent cost (/hash/alternative).
// Bundled by scripts/bench/scenarios/password-hash.ts; not part of the deployed Worker.
import { DEFAULT_PASSWORD_POLICY, hashPassword, type PasswordPolicy } from '../../../shared/auth/password.ts';

const policies: Record<string, PasswordPolicy> = {
  default: DEFAULT_PASSWORD_POLICY,
  alternative: { ...DEFAULT_PASSWORD_POLICY, algorithm: DEFAULT_PASSWORD_POLICY.algorithm === 'argon2id' ? 'scrypt' : 'argon2id' },
};

export default {
  async fetch(request: Request): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (pathname === '/policies') return Response.json(policies);
    const policy = policies[pathname.replace(/^\/hash\//, '')];
    if (!policy) return new Response('not found', { status: 404 });
    return new Response(await hashPassword('correct horse battery staple', policy));
  },
};
