import { describe, expect, it } from 'vitest';
import { NOTIFICATION_TYPES } from '../../../workers/users/profile-schemas.ts';
import type { PreferencesView } from '../../../workers/users/service/preferences.ts';
import { call, callJson, expectProblem } from '../../support/http.ts';
import { bearer, registerAndLogin } from '../../support/identity.ts';
import { testStores } from '../../support/stores.ts';

const getPreferences = async (token: string) => {
  const response = await call('/api/v1/preferences', { headers: bearer(token) });
  expect(response.status).toBe(200);
  return (await response.json()) as PreferencesView;
};
const putPreferences = (token: string, body: unknown) => callJson('/api/v1/preferences', 'PUT', body, bearer(token));

describe('preferences', () => {
  it('a new user gets the defaults, and nothing is stored until they change something', async () => {
    const user = await registerAndLogin();
    const preferences = await getPreferences(user.tokens.accessToken);
    expect(preferences).toMatchObject({ language: 'en', timezone: 'UTC', theme: 'system', quietHours: null, updatedAt: null });
    expect(Object.keys(preferences.notifications)).toHaveLength(10);
    expect(preferences.notifications.security_alert).toEqual({ push: true, email: true, sms: false, in_app: true });
    expect(preferences.notifications.post_like).toEqual({ push: true, email: false, sms: false, in_app: true });
    expect(await testStores().mongo.collection('user_preferences').countDocuments({ userId: user.id })).toBe(0);
  });

  it('an update changes only the fields sent (the unversioned route too)', async () => {
    const user = await registerAndLogin();
    const token = user.tokens.accessToken;
    expect((await putPreferences(token, { language: 'it-it', timezone: 'Europe/Rome' })).status).toBe(200);
    const response = await callJson('/api/preferences', 'PUT', { notifications: { post_like: { push: false }, event_reminder: { sms: true } }, quietHours: { start: '22:00', end: '07:00' } }, bearer(token));
    expect(response.status).toBe(200);
    const merged = (await response.json()) as PreferencesView;
    expect(merged).toMatchObject({ language: 'it-IT', timezone: 'Europe/Rome', theme: 'system', quietHours: { start: '22:00', end: '07:00' } });
    expect(merged.notifications.post_like).toEqual({ push: false, email: false, sms: false, in_app: true });
    expect(merged.notifications.event_reminder).toEqual({ push: true, email: true, sms: true, in_app: true });
    expect(merged.updatedAt).toEqual(expect.any(String));

    await putPreferences(token, { theme: 'dark', quietHours: null, notifications: { security_alert: { push: false, sms: true } } });
    const after = await getPreferences(token);
    expect(after).toMatchObject({ theme: 'dark', quietHours: null, language: 'it-IT' });
    expect(after.notifications.post_like.push).toBe(false);
    expect(after.notifications.security_alert).toEqual({ push: false, email: true, sms: true, in_app: true });
    expect(await testStores().mongo.collection('user_preferences').countDocuments({ userId: user.id })).toBe(1);
  });

  it('rejects invalid values, unknown keys and turning security alerts off by email', async () => {
    const user = await registerAndLogin();
    const token = user.tokens.accessToken;
    for (const body of [
      {},
      { timezone: 'Mars/Olympus_Mons' },
      { timezone: 'UTC; drop' },
      { language: 'not a language' },
      { language: 'e' },
      { theme: 'blue' },
      { quietHours: { start: '25:00', end: '07:00' } },
      { quietHours: { start: '22:00', end: '22:00' } },
      { quietHours: { start: '22:00' } },
      { notifications: { weather_alert: { push: true } } },
      { notifications: { post_like: { carrier_pigeon: true } } },
      { notifications: { post_like: { push: 'no' } } },
      { notifications: { security_alert: { email: false } } },
      { 'notifications.post_like.push': false },
      { notifications: { 'post_like.push': false } },
      { userId: crypto.randomUUID(), theme: 'dark' },
    ]) {
      const problem = await expectProblem(await putPreferences(token, body), 400);
      expect(problem.code, JSON.stringify(body)).toBe('validation_failed');
    }
    await expectProblem(await putPreferences(token, { $set: { theme: 'dark' } }), 400);
    expect(await getPreferences(token)).toMatchObject({ theme: 'system', updatedAt: null });
  });

  it('needs a token, and each user sees and changes only their own', async () => {
    await expectProblem(await call('/api/v1/preferences'), 401);
    await expectProblem(await call('/api/v1/preferences', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"theme":"dark"}' }), 401);
    const [alice, bob] = await Promise.all([registerAndLogin(), registerAndLogin()]);
    await putPreferences(alice.tokens.accessToken, { theme: 'dark', language: 'fr' });
    expect(await getPreferences(bob.tokens.accessToken)).toMatchObject({ theme: 'system', language: 'en' });
    expect(await getPreferences(alice.tokens.accessToken)).toMatchObject({ theme: 'dark', language: 'fr' });
  });

  it('concurrent updates of different fields all land (10 at once, several rounds)', async () => {
    const user = await registerAndLogin();
    const token = user.tokens.accessToken;
    const updates = [
      { theme: 'light' },
      { language: 'de-DE' },
      { timezone: 'America/New_York' },
      { quietHours: { start: '23:30', end: '06:15' } },
      { notifications: { post_like: { push: false } } },
      { notifications: { post_like: { in_app: false } } },
      { notifications: { post_comment: { email: true } } },
      { notifications: { connection_request: { sms: true } } },
      { notifications: { event_update: { push: false } } },
      { notifications: { security_alert: { sms: true } } },
    ];
    const responses = await Promise.all(updates.map((body) => putPreferences(token, body)));
    expect(responses.map((response) => response.status)).toEqual(Array(10).fill(200));
    const final = await getPreferences(token);
    expect(final).toMatchObject({ theme: 'light', language: 'de-DE', timezone: 'America/New_York', quietHours: { start: '23:30', end: '06:15' } });
    expect(final.notifications.post_like).toMatchObject({ push: false, in_app: false });
    expect(final.notifications.post_comment.email).toBe(true);
    expect(final.notifications.connection_request.sms).toBe(true);
    expect(final.notifications.event_update.push).toBe(false);
    expect(final.notifications.security_alert.sms).toBe(true);
    expect(await testStores().mongo.collection('user_preferences').countDocuments({ userId: user.id })).toBe(1);

    // More rounds on the stored document: each flips one switch of every type at once. A
    // read-modify-write loses some of them here; dotted-path $set loses none.
    for (const value of [false, true, false, true]) {
      await Promise.all(NOTIFICATION_TYPES.map((type) => putPreferences(token, { notifications: { [type]: { sms: value } } })));
      const { notifications } = await getPreferences(token);
      expect(NOTIFICATION_TYPES.filter((type) => notifications[type].sms !== value)).toEqual([]);
    }
  });
});
