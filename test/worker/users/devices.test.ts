import { describe, expect, it } from 'vitest';
import type { DeviceView } from '../../../workers/users/service/devices.ts';
import { call, callJson, expectProblem } from '../../support/http.ts';
import { bearer, clientAddress, login, registerAndLogin } from '../../support/identity.ts';
import { testStores } from '../../support/stores.ts';

const pushToken = () => `fcm:${crypto.randomUUID()}-${'A'.repeat(100)}`;
const register = (token: string, body: unknown) => callJson('/api/v1/users/me/devices', 'POST', body, bearer(token));
const list = async (token: string) => {
  const response = await call('/api/v1/users/me/devices', { headers: bearer(token) });
  expect(response.status).toBe(200);
  return (await response.json()) as DeviceView[];
};
const remove = (token: string, id: string) => call(`/api/v1/users/me/devices/${id}`, { method: 'DELETE', headers: bearer(token) });

describe('device tokens', () => {
  it('registers a token for this session, refreshes it when sent again, lists and removes it', async () => {
    const user = await registerAndLogin();
    const access = user.tokens.accessToken;
    const token = pushToken();
    const created = await register(access, { platform: 'android', token, deviceName: 'Pixel 9', appVersion: '1.2.0' });
    expect(created.status).toBe(201);
    const device = (await created.json()) as DeviceView;
    expect(device).toMatchObject({ platform: 'android', token, deviceName: 'Pixel 9', appVersion: '1.2.0', current: true });
    const [row] = await testStores().postgres.query<{ session_id: string }>('select session_id from device_tokens where id = $1', [device.id]);
    expect(row?.session_id).toBe(user.tokens.sessionId);

    const again = await callJson('/api/users/me/devices', 'POST', { platform: 'android', token, appVersion: '1.3.0' }, bearer(access));
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ id: device.id, appVersion: '1.3.0', deviceName: null });

    // From another session of the same user: still one device, now linked to that session.
    const second = await login(user.email, user.password, clientAddress());
    expect((await register(second.accessToken, { platform: 'android', token })).status).toBe(200);
    const devices = await list(access);
    expect(devices).toHaveLength(1);
    expect(devices[0]).toMatchObject({ id: device.id, current: false });

    expect((await remove(access, device.id)).status).toBe(204);
    expect(await list(access)).toEqual([]);
    await expectProblem(await remove(access, device.id), 404);
  });

  it('rejects bad input with 400 and unknown devices with 404', async () => {
    const user = await registerAndLogin();
    const access = user.tokens.accessToken;
    for (const body of [
      { platform: 'windows-phone', token: pushToken() },
      { platform: 'ios', token: '' },
      { platform: 'ios', token: 'has spaces in it' },
      { platform: 'ios', token: 'x'.repeat(4097) },
      { platform: 'ios' },
      { platform: 'ios', token: pushToken(), deviceName: 'd'.repeat(201) },
      { platform: 'ios', token: pushToken(), accountId: crypto.randomUUID() },
    ]) {
      const problem = await expectProblem(await register(access, body), 400);
      expect(problem.code, JSON.stringify(body).slice(0, 80)).toBe('validation_failed');
    }
    await expectProblem(await remove(access, 'not-a-uuid'), 400);
    await expectProblem(await remove(access, crypto.randomUUID()), 404);
    expect(await list(access)).toEqual([]);
  });

  it('needs a token; nobody lists or removes another user\'s device', async () => {
    await expectProblem(await call('/api/v1/users/me/devices'), 401);
    await expectProblem(await callJson('/api/v1/users/me/devices', 'POST', { platform: 'web', token: pushToken() }), 401);
    await expectProblem(await call(`/api/v1/users/me/devices/${crypto.randomUUID()}`, { method: 'DELETE' }), 401);

    const [alice, bob] = await Promise.all([registerAndLogin(), registerAndLogin()]);
    const device = (await (await register(alice.tokens.accessToken, { platform: 'ios', token: pushToken() })).json()) as DeviceView;
    expect(await list(bob.tokens.accessToken)).toEqual([]);
    await expectProblem(await remove(bob.tokens.accessToken, device.id), 404);
    expect((await list(alice.tokens.accessToken)).map((entry) => entry.id)).toEqual([device.id]);
  });

  it('a token registered by another account moves to it', async () => {
    const [alice, bob] = await Promise.all([registerAndLogin(), registerAndLogin()]);
    const token = pushToken();
    const first = (await (await register(alice.tokens.accessToken, { platform: 'ios', token, deviceName: 'Shared iPad' })).json()) as DeviceView;
    const moved = await register(bob.tokens.accessToken, { platform: 'ios', token });
    expect(moved.status).toBe(201); // new to Bob
    expect(await moved.json()).toMatchObject({ token, current: true, deviceName: null });
    expect(await list(alice.tokens.accessToken)).toEqual([]);
    expect((await list(bob.tokens.accessToken)).map((entry) => entry.token)).toEqual([token]);
    await expectProblem(await remove(alice.tokens.accessToken, first.id), 404);
    const rows = await testStores().postgres.query<{ account_id: string; session_id: string }>('select account_id, session_id from device_tokens where token = $1', [token]);
    expect(rows).toEqual([{ account_id: bob.id, session_id: bob.tokens.sessionId }]);
  });
});
