import { describe, expect, it } from 'vitest';
import { call, callJson, expectProblem } from '../../support/http.ts';
import { bearer, clientAddress, login, registerAndLogin, type TestUser } from '../../support/identity.ts';
import { testStores } from '../../support/stores.ts';

interface Profile {
  id: string;
  displayName: string | null;
  bio: string | null;
  avatarUrl: string | null;
  interests: string[];
  location: { lat: number; lng: number; name: string | null } | null;
  privacy?: Record<string, string>;
  karma: number;
  stats: Record<string, number | null>;
}

const getProfile = (id: string, token: string) => call(`/api/v1/profiles/${id}`, { headers: bearer(token) });
const putProfile = (id: string, token: string, body: unknown) => callJson(`/api/v1/profiles/${id}`, 'PUT', body, bearer(token));

async function makeAdmin(user: TestUser): Promise<string> {
  await testStores().postgres.query("update accounts set role = 'admin' where id = $1", [user.id]);
  return (await login(user.email, user.password, clientAddress())).accessToken; // the role is read at login
}

describe('profiles', () => {
  it('the owner reads and updates every field; the location is stored as a geography point', async () => {
    const alice = await registerAndLogin();
    const fresh = (await (await getProfile(alice.id, alice.tokens.accessToken)).json()) as Profile;
    expect(fresh).toMatchObject({ id: alice.id, displayName: alice.username, location: null, karma: 0, privacy: { profileVisibility: 'public', locationVisibility: 'private' } });

    const response = await putProfile(alice.id, alice.tokens.accessToken, {
      displayName: 'Alice', bio: 'Jazz and hiking', avatarUrl: 'https://cdn.example.com/a.png',
      interests: ['jazz', 'Hiking', 'hiking', 'JAZZ'], location: { lat: 45.4642, lng: 9.19, name: 'Milan' },
      privacy: { locationVisibility: 'public' },
    });
    expect(response.status).toBe(200);
    const updated = (await response.json()) as Profile;
    expect(updated).toMatchObject({ displayName: 'Alice', bio: 'Jazz and hiking', avatarUrl: 'https://cdn.example.com/a.png', interests: ['jazz', 'Hiking'], privacy: { locationVisibility: 'public', profileVisibility: 'public' } });
    expect(updated.location).toMatchObject({ name: 'Milan' });
    expect(updated.location!.lat).toBeCloseTo(45.4642, 6);
    expect(updated.location!.lng).toBeCloseTo(9.19, 6);
    const [row] = await testStores().postgres.query<{ wkt: string }>('select st_astext(location::geometry) as wkt from profiles where account_id = $1', [alice.id]);
    expect(row?.wkt).toBe('POINT(9.19 45.4642)'); // (longitude latitude)

    // The unversioned alias, and clearing fields with null.
    const cleared = (await (await callJson(`/api/profiles/${alice.id}`, 'PUT', { location: null, bio: null }, bearer(alice.tokens.accessToken))).json()) as Profile;
    expect(cleared).toMatchObject({ location: null, bio: null, displayName: 'Alice' });
  });

  it('rejects bad input with 400 and unknown profiles with 404', async () => {
    const alice = await registerAndLogin();
    const token = alice.tokens.accessToken;
    for (const body of [
      { avatarUrl: 'http://cdn.example.com/a.png' },
      { avatarUrl: 'javascript:alert(1)' },
      { location: { lat: 91, lng: 0 } },
      { location: { lat: 0, lng: -180.5 } },
      { location: { lat: '45', lng: 9 } },
      { interests: Array.from({ length: 51 }, (_, index) => `topic ${index}`) },
      { interests: ['x'.repeat(51)] },
      { privacy: { profileVisibility: 'friends' } },
      { privacy: {} },
      { karma: 1000 },
      { stats: { crews: 5 } },
      {},
    ]) {
      const problem = await expectProblem(await putProfile(alice.id, token, body), 400);
      expect(problem.code, JSON.stringify(body)).toBe('validation_failed');
    }
    await expectProblem(await getProfile('not-a-uuid', token), 400);
    await expectProblem(await getProfile(crypto.randomUUID(), token), 404);
    const [row] = await testStores().postgres.query<{ karma: number }>('select karma from profiles where account_id = $1', [alice.id]);
    expect(row?.karma).toBe(0);
  });

  it('only the owner or an admin may update a profile; every route needs a token', async () => {
    const [alice, bob, admin] = await Promise.all([registerAndLogin(), registerAndLogin(), registerAndLogin()]);
    const adminToken = await makeAdmin(admin);
    await expectProblem(await putProfile(alice.id, bob.tokens.accessToken, { displayName: 'Mallory' }), 403);
    // Refused the same way whether or not the target exists.
    await expectProblem(await putProfile(crypto.randomUUID(), bob.tokens.accessToken, { displayName: 'Mallory' }), 403);
    expect((await putProfile(alice.id, adminToken, { bio: 'Edited by a moderator of content' })).status).toBe(200);
    await expectProblem(await putProfile(crypto.randomUUID(), adminToken, { bio: 'nobody' }), 404);
    const seen = (await (await getProfile(alice.id, alice.tokens.accessToken)).json()) as Profile;
    expect(seen.displayName).toBe(alice.username);
    expect(seen.bio).toBe('Edited by a moderator of content');

    await expectProblem(await call(`/api/v1/profiles/${alice.id}`), 401);
    await expectProblem(await call(`/api/v1/profiles/${alice.id}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"bio":"x"}' }), 401);
  });

  it('applies the owner\'s privacy to other viewers; the owner and admins see everything', async () => {
    const [alice, bob, admin] = await Promise.all([registerAndLogin(), registerAndLogin(), registerAndLogin()]);
    const adminToken = await makeAdmin(admin);
    await testStores().postgres.query('update profiles set events_attended_count = 7, crews_count = 2 where account_id = $1', [alice.id]);
    const set = async (body: unknown) => expect((await putProfile(alice.id, alice.tokens.accessToken, body)).status).toBe(200);
    const asBob = async () => (await (await getProfile(alice.id, bob.tokens.accessToken)).json()) as Profile;

    await set({ location: { lat: 41.9, lng: 12.5, name: 'Rome' }, privacy: { locationVisibility: 'public', attendanceVisibility: 'public' } });
    let seen = await asBob();
    expect(seen.location).toMatchObject({ lat: 41.9, lng: 12.5, name: 'Rome' });
    expect(seen.stats).toMatchObject({ eventsAttended: 7, crews: 2 });
    expect(seen.privacy).toBeUndefined();

    // 'connections' is not visible to others until the social service can tell who is connected.
    await set({ privacy: { locationVisibility: 'connections', attendanceVisibility: 'private' } });
    seen = await asBob();
    expect(seen.location).toBeNull();
    expect(seen.stats.eventsAttended).toBeNull();
    expect(seen.stats.crews).toBe(2);
    const own = (await (await getProfile(alice.id, alice.tokens.accessToken)).json()) as Profile;
    expect(own.location).toMatchObject({ name: 'Rome' });
    expect(own.stats.eventsAttended).toBe(7);

    // A private profile answers others exactly like one that does not exist.
    await set({ privacy: { profileVisibility: 'private' } });
    const hidden = await expectProblem(await getProfile(alice.id, bob.tokens.accessToken), 404);
    const missing = await expectProblem(await getProfile(crypto.randomUUID(), bob.tokens.accessToken), 404);
    expect(hidden.detail).toBe(missing.detail);
    await set({ privacy: { profileVisibility: 'connections' } });
    await expectProblem(await getProfile(alice.id, bob.tokens.accessToken), 404);
    const byAdmin = (await (await getProfile(alice.id, adminToken)).json()) as Profile;
    expect(byAdmin).toMatchObject({ id: alice.id, location: { name: 'Rome' }, privacy: { profileVisibility: 'connections' }, stats: { eventsAttended: 7 } });
    expect((await getProfile(alice.id, alice.tokens.accessToken)).status).toBe(200);
  });
});
