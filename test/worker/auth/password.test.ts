import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_PASSWORD_POLICY,
  checkPasswordStrength,
  dummyPasswordHash,
  hashPassword,
  needsRehash,
  verifyPassword,
  type PasswordPolicy,
} from '../../../shared/auth/password.ts';

// Most cases use cheap parameters so the file stays fast; the default policy is used twice.
const cheap: PasswordPolicy = { ...DEFAULT_PASSWORD_POLICY, memoryKiB: 64, iterations: 1, parallelism: 1 };
const cheapScrypt: PasswordPolicy = { ...DEFAULT_PASSWORD_POLICY, algorithm: 'scrypt', logN: 10, r: 8, p: 1 };

// Made by independent implementations (the argon2 reference CLI, OpenSSL's scrypt through Python)
// for "correct horse" and the salt "flow-test-salt-16": proves the PHC strings interoperate.
const REFERENCE = {
  argon2Cheap: '$argon2id$v=19$m=64,t=1,p=1$Zmxvdy10ZXN0LXNhbHQtMTY$iPosqaXJYeiyCc3PchKDrBhBA/UhOmK87h4Uavw+oMI',
  argon2TwoLanes: '$argon2id$v=19$m=128,t=3,p=2$Zmxvdy10ZXN0LXNhbHQtMTY$Xlyuw1yyD2QeypqIHkBzgEwIK4d+v4jR73/RhyA1IUM',
  argon2Unicode: '$argon2id$v=19$m=64,t=1,p=1$Zmxvdy10ZXN0LXNhbHQtMTY$2Dw7m143u0+v1/vr1J4KeMrDYn8c+BahGCCPPgis/ik', // "café crème", NFC
  scrypt: '$scrypt$ln=10,r=8,p=2$Zmxvdy10ZXN0LXNhbHQtMTY$WRu/3vzcHD35u/iguvjMUwuiORXwh/gLYugtunEqq9M',
};

describe('hashing and verification', () => {
  it('round-trips with the default policy (argon2id, 19 MiB, t=2, p=1) and a 16-byte salt', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(await verifyPassword('correct horse battery staple', stored)).toBe(true);
    expect(await verifyPassword('correct horse battery stapler', stored)).toBe(false);
    expect(needsRehash(stored)).toBe(false);
  });

  it('round-trips with scrypt, and salts every hash afresh', async () => {
    const stored = await hashPassword('hunter2-but-longer', cheapScrypt);
    expect(stored).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(await verifyPassword('hunter2-but-longer', stored)).toBe(true);
    expect(await verifyPassword('Hunter2-but-longer', stored)).toBe(false);
    expect(await hashPassword('same password', cheap)).not.toBe(await hashPassword('same password', cheap));
  });

  it('verifies hashes made by the reference implementations, and only for the right password', async () => {
    for (const stored of [REFERENCE.argon2Cheap, REFERENCE.argon2TwoLanes, REFERENCE.scrypt]) {
      expect(await verifyPassword('correct horse', stored)).toBe(true);
      expect(await verifyPassword('correct horse ', stored)).toBe(false);
    }
  });

  it('honours the parameters stored with each hash, and asks for a rehash when they differ from the policy', async () => {
    const weaker: PasswordPolicy[] = [
      cheap,
      { ...cheap, memoryKiB: 128, iterations: 3, parallelism: 2 },
      cheapScrypt,
      { ...cheapScrypt, logN: 9, r: 4, p: 2 },
    ];
    for (const policy of weaker) {
      const stored = await hashPassword('a weaker hash', policy);
      expect(await verifyPassword('a weaker hash', stored)).toBe(true);
      expect(needsRehash(stored)).toBe(true);
      expect(needsRehash(stored, policy)).toBe(false);
    }
    const stored = await hashPassword('a weaker hash', cheap);
    for (const change of [{ memoryKiB: 72 }, { iterations: 2 }, { parallelism: 2 }, { algorithm: 'scrypt' as const }]) {
      expect(needsRehash(stored, { ...cheap, ...change })).toBe(true);
    }
    // scrypt fields do not matter to an argon2id policy, and the other way round.
    expect(needsRehash(stored, { ...cheap, logN: 17 })).toBe(false);
    expect(needsRehash(REFERENCE.scrypt, { ...cheapScrypt, p: 2, memoryKiB: 1 })).toBe(false);
    // Changing a stored parameter changes the result: it is really used.
    expect(await verifyPassword('a weaker hash', stored.replace('t=1,', 't=2,'))).toBe(false);
  });

  it('refuses to hash with a policy outside the limits verification accepts', async () => {
    await expect(hashPassword('whatever you like', { ...cheap, memoryKiB: 1 << 20 })).rejects.toThrow(RangeError);
    await expect(hashPassword('whatever you like', { ...cheapScrypt, logN: 18 })).rejects.toThrow(RangeError);
  });

  it('normalizes unicode (NFKC) so composed, decomposed and full-width input match', async () => {
    expect(await verifyPassword('caf\u00e9 cr\u00e8me', REFERENCE.argon2Unicode)).toBe(true);
    expect(await verifyPassword('cafe\u0301 cre\u0300me', REFERENCE.argon2Unicode)).toBe(true);
    expect(await verifyPassword('cafe creme', REFERENCE.argon2Unicode)).toBe(false);
    const stored = await hashPassword('password123', cheap);
    expect(await verifyPassword('\uff50\uff41\uff53\uff53\uff57\uff4f\uff52\uff44\uff11\uff12\uff13', stored)).toBe(true);
    const emoji = await hashPassword('🔐 Ångström ключ 鍵', cheap);
    expect(await verifyPassword('🔐 Ångström ключ 鍵', emoji)).toBe(true);
    expect(await verifyPassword('🔐 Angstrom ключ 鍵', emoji)).toBe(false);
  });

  it('runs 5 hashes at once without deadlock, and each verifies', async () => {
    const passwords = Array.from({ length: 5 }, (_, index) => `concurrent password ${index}`);
    const stored = await Promise.all(passwords.map((password) => hashPassword(password, cheap)));
    const checks = await Promise.all(stored.map((hash, index) => verifyPassword(passwords[index] as string, hash)));
    expect(checks).toEqual([true, true, true, true, true]);
  });

  it('gives one default-policy dummy hash per isolate that nothing verifies against', async () => {
    const dummy = await dummyPasswordHash();
    expect(await dummyPasswordHash()).toBe(dummy);
    expect(needsRehash(dummy)).toBe(false);
    expect(await verifyPassword('password', dummy)).toBe(false);
  });
});

describe('hostile stored strings', () => {
  const valid = REFERENCE.argon2Cheap;
  const hostile = [
    '', 'password', '$', '$$$$$', '$argon2id$', '$argon2id$v=19$m=64,t=1,p=1$$',
    valid.slice(0, -1), `${valid}A`, `${valid}=`, `${valid}$extra`, ` ${valid}`, valid.toUpperCase(),
    valid.replace('$argon2id$', '$argon2i$'), valid.replace('$argon2id$', '$argon2d$'), valid.replace('v=19$', ''),
    valid.replace('v=19', 'v=16'), valid.replace('m=64', 'm=064'), valid.replace('m=64', 'm=-64'), valid.replace('m=64', 'm=0'),
    valid.replace('m=64', 'm=4194304'), valid.replace('t=1', 't=100000'), valid.replace('p=1', 'p=9'), valid.replace('p=1', 'p=255'),
    valid.replace('m=64,t=1', 't=1,m=64'), valid.replace('Zmxvdy10ZXN0LXNhbHQtMTY', 'Zmxvdy1'), valid.replace('Zmxvdy10', 'Zmx*dy10'),
    REFERENCE.scrypt.replace('ln=10', 'ln=40'), REFERENCE.scrypt.replace('ln=10', 'ln=17'), REFERENCE.scrypt.replace('r=8', 'r=4096'),
    '$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW', // bcrypt: not ours
    '$argon2id$v=19$m=64,t=1,p=1$' + 'A'.repeat(5000) + '$' + 'A'.repeat(43), `$scrypt$${'ln=10,'.repeat(200)}`,
  ];

  it('every malformed, unsupported or oversized string is false, quickly, and never throws', async () => {
    const started = Date.now();
    for (const stored of hostile) {
      expect(await verifyPassword('correct horse', stored), stored.slice(0, 80)).toBe(false);
      expect(needsRehash(stored)).toBe(true);
    }
    for (const notAString of [null, undefined, 42, {}, ['$argon2id$']]) {
      expect(await verifyPassword('correct horse', notAString as unknown as string)).toBe(false);
      expect(await verifyPassword(notAString as unknown as string, valid)).toBe(false);
    }
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('arbitrary strings and PHC-looking prefixes with random tails are false without throwing', async () => {
    const prefix = fc.constantFrom('', '$argon2id$v=19$', '$argon2id$v=19$m=64,t=1,p=1$', '$scrypt$ln=10,r=8,p=1$');
    await fc.assert(
      fc.asyncProperty(prefix, fc.string({ unit: 'binary', maxLength: 120 }), async (start, tail) => {
        expect(await verifyPassword('correct horse', start + tail)).toBe(false);
      }),
      { numRuns: 100 },
    );
  });

  it('any one-character change to a valid hash makes it fail', async () => {
    const alphabet = fc.constantFrom(...'$=,0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ+/-_ ');
    await fc.assert(
      fc.asyncProperty(fc.nat(valid.length - 1), alphabet, fc.boolean(), async (index, char, insert) => {
        fc.pre(insert || valid[index] !== char);
        const mutated = valid.slice(0, index) + char + valid.slice(insert ? index : index + 1);
        expect(await verifyPassword('correct horse', mutated)).toBe(false);
      }),
      { numRuns: 100 },
    );
  });
});

describe('password strength', () => {
  it('refuses passwords shorter than 8 or longer than 128 characters, counting code points', () => {
    expect(checkPasswordStrength('k8#Lm2q')).toMatch(/at least 8/);
    expect(checkPasswordStrength('k8#Lm2qz')).toBeNull();
    expect(checkPasswordStrength('x'.repeat(120) + 'k8#Lm2qz')).toBeNull();
    expect(checkPasswordStrength('x'.repeat(121) + 'k8#Lm2qz')).toMatch(/at most 128/);
    expect(checkPasswordStrength('🐢🦊🐙🦉')).toMatch(/at least 8/); // 8 UTF-16 units, 4 characters
    expect(checkPasswordStrength('🐢🦊🐙🦉🐢🦊🐙🦉')).toBeNull();
  });

  it('refuses the most common passwords, whatever their case or width', () => {
    for (const common of ['password', 'PASSWORD', 'Password1', '12345678', 'iloveyou', 'letmein1', 'qwertyuiop', 'trustno1', 'sunshine', '1qaz2wsx', 'ｐａｓｓｗｏｒｄ']) {
      expect(checkPasswordStrength(common), common).toMatch(/most commonly used/);
    }
    for (const fine of ['Tr0ub4dor&3', 'correct horse battery staple', 'gentle-otter-lamp-97', 'passwordless login']) {
      expect(checkPasswordStrength(fine), fine).toBeNull();
    }
  });

  it('refuses passwords equal to or containing the email local part or the username', () => {
    const context = { email: 'Jane.Doe@example.com', username: 'skywalker' };
    expect(checkPasswordStrength('jane.doe', context)).toMatch(/email address or username/);
    expect(checkPasswordStrength('JANE.DOE-2024!', context)).toMatch(/email address or username/);
    expect(checkPasswordStrength('I am Skywalker!!', context)).toMatch(/email address or username/);
    expect(checkPasswordStrength('my name is skywalker', { username: 'skywalker' })).toMatch(/username/);
    expect(checkPasswordStrength('example.com rocks', context)).toBeNull();
    // Short identifiers are only refused as the whole password; containing "bob" proves nothing.
    expect(checkPasswordStrength('bobsled-harbor-42', { username: 'bob', email: 'bob@example.com' })).toBeNull();
    expect(checkPasswordStrength('gentle-otter-lamp-97', {})).toBeNull();
  });
});
