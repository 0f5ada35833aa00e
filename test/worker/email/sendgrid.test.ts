import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { sendGridSender } from '../../../shared/email/sendgrid.ts';
import type { EmailMessage } from '../../../shared/email/index.ts';
import type { RecordedRequest } from '../../setup/fake-providers.ts';

// The fake SendGrid of test/setup/fake-providers.ts, served by this project's stack process,
// which passes its URL and the key it accepts as bindings.
const fake = env as unknown as { FAKE_PROVIDERS_URL: string; FAKE_SENDGRID_API_KEY: string };
const FAKE_URL = fake.FAKE_PROVIDERS_URL;
const API_KEY = fake.FAKE_SENDGRID_API_KEY;
const FROM = 'Flow <no-reply@flow.app>';

type Recorded = Omit<RecordedRequest, 'provider' | 'receivedAt'>;

const sender = (overrides: { apiKey?: string; from?: string; timeoutMs?: number } = {}) =>
  sendGridSender({ apiKey: overrides.apiKey ?? API_KEY, baseUrl: FAKE_URL, from: overrides.from ?? FROM, timeoutMs: overrides.timeoutMs ?? 2_000 });

/** A message to a recipient no other test uses, so the recorded requests can be told apart. */
function message(category = 'password_reset'): EmailMessage {
  return { to: `user-${crypto.randomUUID()}@example.com`, subject: 'Reset your Flow password', text: 'Reset it here: https://flow.app/r?t=abc', category };
}

async function control(path: string, method = 'POST'): Promise<void> {
  const response = await fetch(`${FAKE_URL}${path}`, { method });
  expect(response.status, `${method} ${path}`).toBe(204);
}

/** Every request the fake SendGrid got for `recipient`. */
async function receivedFor(recipient: string): Promise<Recorded[]> {
  const response = await fetch(`${FAKE_URL}/_fake/requests?provider=sendgrid`);
  expect(response.status).toBe(200);
  return ((await response.json()) as Recorded[]).filter((request) => request.body.includes(recipient));
}

describe('SendGrid adapter against the fake SendGrid', () => {
  it('posts one v3 Mail Send request: Bearer key, JSON, personalizations/from/subject/content/categories', async () => {
    const mail = message();
    await sender().send(mail);

    const [request, ...more] = await receivedFor(mail.to);
    expect(more).toHaveLength(0);
    expect(request).toMatchObject({ method: 'POST', path: '/v3/mail/send', status: 202 });
    expect(request!.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(request!.headers['content-type']).toMatch(/^application\/json/);
    expect(request!.json).toEqual({
      personalizations: [{ to: [{ email: mail.to }] }],
      from: { email: 'no-reply@flow.app', name: 'Flow' },
      subject: mail.subject,
      content: [{ type: 'text/plain', value: mail.text }],
      categories: ['password_reset'],
    });
  });

  it('sends a bare from address without a name', async () => {
    const mail = message('email_verification');
    await sender({ from: 'no-reply@flow.app' }).send(mail);
    const [request] = await receivedFor(mail.to);
    expect((request!.json as { from: unknown }).from).toEqual({ email: 'no-reply@flow.app' });
    expect(request!.status).toBe(202);
  });

  it('throws when SendGrid refuses the key (401)', async () => {
    const mail = message();
    await expect(sender({ apiKey: 'SG.wrong-key' }).send(mail)).rejects.toThrow(/SendGrid answered 401/);
    const [request] = await receivedFor(mail.to);
    expect(request!.status).toBe(401);
  });

  it('throws on a 503 and sends normally once the outage is over', async () => {
    const mail = message();
    await control(`/_fake/fail-next?provider=sendgrid&status=503&match=${encodeURIComponent(mail.to)}`);
    await expect(sender().send(mail)).rejects.toThrow(/SendGrid answered 503/);
    await sender().send(mail);
    expect((await receivedFor(mail.to)).map((request) => request.status)).toEqual([503, 202]);
  });

  it('gives up at its timeout when SendGrid does not answer', async () => {
    const mail = message();
    await control(`/_fake/delay-next?provider=sendgrid&ms=5000&match=${encodeURIComponent(mail.to)}`);
    const started = Date.now();
    await expect(sender({ timeoutMs: 300 }).send(mail)).rejects.toThrow();
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(2_000);
  });
});

describe('the fake SendGrid answers like the real API', () => {
  const post = (body: unknown, key = API_KEY) =>
    fetch(`${FAKE_URL}/v3/mail/send`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const valid = () => ({
    personalizations: [{ to: [{ email: `user-${crypto.randomUUID()}@example.com` }] }],
    from: { email: 'no-reply@flow.app' },
    subject: 'Hello',
    content: [{ type: 'text/plain', value: 'Hi' }],
  });

  it('202 with an empty body and a message id for a well-formed request', async () => {
    const response = await post(valid());
    expect(response.status).toBe(202);
    expect(response.headers.get('x-message-id')).toBeTruthy();
    expect(await response.text()).toBe('');
  });

  it('401 without the right key, before looking at the body', async () => {
    const response = await post('not json', 'SG.wrong-key');
    expect(response.status).toBe(401);
    expect(((await response.json()) as { errors: unknown[] }).errors).toHaveLength(1);
  });

  it.each([
    ['not JSON', 'not json', ''],
    ['no personalizations', { ...valid(), personalizations: [] }, 'personalizations'],
    ['a recipient without an email', { ...valid(), personalizations: [{ to: [{ name: 'Ada' }] }] }, 'personalizations.0.to.0.email'],
    ['no from', { ...valid(), from: undefined }, 'from.email'],
    ['no subject', { ...valid(), subject: '' }, 'subject'],
    ['no content', { ...valid(), content: [] }, 'content'],
    ['content without a value', { ...valid(), content: [{ type: 'text/plain' }] }, 'content.0'],
  ])('400 for a malformed body: %s', async (_name, body, field) => {
    const response = await post(body);
    expect(response.status).toBe(400);
    const { errors } = (await response.json()) as { errors: { message: string; field: string }[] };
    expect(errors[0]!.field).toBe(field);
    expect(errors[0]!.message).toBeTruthy();
  });
});
