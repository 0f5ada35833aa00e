import { expect } from 'vitest';
import type { TokenPair } from '../../workers/users/service/tokens.ts';
import { callJson } from './http.ts';
import { testStores } from './stores.ts';
import { eventually } from './wait.ts';

export const STRONG_PASSWORD = 'correct horse battery staple 42';

/** A fresh client address per test user, so the per-IP throttles of one test do not hit another. */
export function clientAddress(): string {
  const byte = () => Math.floor(Math.random() * 250) + 1;
  return `10.${byte()}.${byte()}.${byte()}`;
}

export interface TestUser {
  id: string;
  email: string;
  username: string;
  password: string;
  ip: string;
  tokens: TokenPair;
}

/** Registers a new user through the API and logs them in. */
export async function registerAndLogin(overrides: Partial<Pick<TestUser, 'password'>> = {}): Promise<TestUser> {
  const suffix = crypto.randomUUID().slice(0, 8);
  const user = { email: `user-${suffix}@example.com`, username: `user_${suffix}`, password: overrides.password ?? STRONG_PASSWORD, ip: clientAddress() };
  const registered = await callJson('/api/v1/auth/register', 'POST', { email: user.email, username: user.username, password: user.password }, { 'cf-connecting-ip': user.ip });
  expect(registered.status).toBe(202);
  const tokens = await login(user.email, user.password, user.ip);
  const [row] = await testStores().postgres.query<{ id: string }>('select id from accounts where lower(email) = lower($1)', [user.email]);
  return { ...user, id: row!.id, tokens };
}

export async function login(email: string, password: string, ip: string): Promise<TokenPair> {
  const response = await callJson('/api/v1/auth/login', 'POST', { email, password }, { 'cf-connecting-ip': ip });
  expect(response.status).toBe(200);
  return (await response.json()) as TokenPair;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Waits for the local email capture to hold a message of `category` to `to`; returns its text. */
export async function awaitEmail(to: string, category: string): Promise<string> {
  const messages = await eventually(
    () => testStores().mongo.collection<{ text: string }>('captured_emails').find({ to: to.toLowerCase(), category }, { sort: { sentAt: -1 }, limit: 1 }),
    (found) => found.length > 0,
  );
  expect(messages).toHaveLength(1);
  return messages[0]!.text;
}

/** The token in an emailed link (…?token=XYZ). */
export function tokenFromEmail(text: string): string {
  const match = /[?&]token=([A-Za-z0-9_-]+)/.exec(text);
  if (!match) throw new Error(`no token in email: ${text}`);
  return match[1]!;
}
