import { describe, expect, it } from 'vitest';
import { createEvent, type TestEvent } from '../../support/events.ts';
import { call, callJson, expectProblem } from '../../support/http.ts';
import { bearer, type TestUser } from '../../support/identity.ts';
import { testStores } from '../../support/stores.ts';
import { attend, cancelAttendance, outboxOf, quickUser, quickUsers } from '../../support/ticketing.ts';

const as = (user: TestUser) => bearer(user.tokens.accessToken);
const invite = (eventId: string, by: TestUser, body: unknown) => callJson(`/api/v1/events/${eventId}/invitations`, 'POST', body, as(by));
const uninvite = (eventId: string, by: TestUser, userId: string) =>
  call(`/api/v1/events/${eventId}/invitations/${userId}`, { method: 'DELETE', headers: as(by) });
const listInvitations = (eventId: string, by: TestUser, query = '') => call(`/api/v1/events/${eventId}/invitations${query}`, { headers: as(by) });
const mine = (user: TestUser, query = '') => call(`/api/v1/events/invitations/me${query}`, { headers: as(user) });
const getEvent = (eventId: string, user?: TestUser) => call(`/api/v1/events/${eventId}`, user ? { headers: as(user) } : {});

const invitationRows = (eventId: string) =>
  testStores().postgres.query<{ invitee_id: string; invited_by: string }>('select invitee_id, invited_by from event_invitations where event_id = $1 order by invitee_id', [eventId]);

async function privateEvent(organizer: TestUser, overrides = {}): Promise<TestEvent> {
  return createEvent(organizer, { visibility: 'private', ...overrides });
}

describe('invitations', () => {
  it('a stranger gets 404, an invitee sees the event (page, occurrences, weather), finds it in their invitations and attends', async () => {
    const organizer = await quickUser();
    const [guest, stranger] = await quickUsers(2);
    const event = await privateEvent(organizer);
    await expectProblem(await getEvent(event.id, guest!), 404);
    await expectProblem(await attend(event.id, guest!), 404);

    const invited = await invite(event.id, organizer, { userIds: [guest!.id] });
    expect(invited.status).toBe(200);
    expect(await invited.json()).toEqual({ invited: [guest!.id], alreadyInvited: [] });
    expect(await outboxOf(event.id, 'event.invitation')).toEqual([{ eventId: event.id, inviteeId: guest!.id, invitedBy: organizer.id, title: event.title }]);

    expect((await getEvent(event.id, guest!)).status).toBe(200);
    expect((await call(`/api/v1/events/${event.id}/occurrences`, { headers: as(guest!) })).status).toBe(200);
    expect((await call(`/api/v1/events/${event.id}/weather`, { headers: as(guest!) })).status).toBe(200);
    await expectProblem(await getEvent(event.id, stranger!), 404);
    await expectProblem(await getEvent(event.id), 404);
    await expectProblem(await call(`/api/v1/events/${event.id}/weather`, { headers: as(stranger!) }), 404);
    await expectProblem(await attend(event.id, stranger!), 404);

    const found = (await (await mine(guest!)).json()) as { items: { eventId: string; registered: boolean; event: { title: string } }[] };
    expect(found.items).toEqual([expect.objectContaining({ eventId: event.id, invitedBy: organizer.id, registered: false, event: expect.objectContaining({ title: event.title }) })]);
    expect(((await (await mine(stranger!)).json()) as { items: unknown[] }).items).toEqual([]);

    expect((await attend(event.id, guest!)).status).toBe(201);
    const listed = (await (await listInvitations(event.id, organizer)).json()) as { items: { userId: string; registered: boolean }[] };
    expect(listed.items).toEqual([expect.objectContaining({ userId: guest!.id, username: guest!.username, registered: true })]);
  });

  it('revoking hides the event again from an invitee who did not register, but not from one who did', async () => {
    const organizer = await quickUser();
    const [onlyInvited, registered] = await quickUsers(2);
    const event = await privateEvent(organizer);
    expect((await invite(event.id, organizer, { userIds: [onlyInvited!.id, registered!.id] })).status).toBe(200);
    expect((await attend(event.id, registered!)).status).toBe(201);

    expect((await uninvite(event.id, organizer, onlyInvited!.id)).status).toBe(204);
    expect((await uninvite(event.id, organizer, registered!.id)).status).toBe(204);
    await expectProblem(await getEvent(event.id, onlyInvited!), 404);
    await expectProblem(await attend(event.id, onlyInvited!), 404);
    // The registration stays, and with it the event and the way out.
    expect((await getEvent(event.id, registered!)).status).toBe(200);
    expect((await cancelAttendance(event.id, registered!)).status).toBe(204);
    await expectProblem(await getEvent(event.id, registered!), 404);
    expect(await invitationRows(event.id)).toEqual([]);
    await expectProblem(await uninvite(event.id, organizer, onlyInvited!.id), 404);
  });

  it('an invitee who joined the waitlist keeps their place after a revoke, and can still leave the line', async () => {
    const organizer = await quickUser();
    const [seated, waiting] = await quickUsers(2);
    const event = await privateEvent(organizer, { capacity: 1 });
    await invite(event.id, organizer, { userIds: [seated!.id, waiting!.id] });
    expect((await attend(event.id, seated!)).status).toBe(201);
    expect((await attend(event.id, waiting!)).status).toBe(202);
    expect((await uninvite(event.id, organizer, waiting!.id)).status).toBe(204);
    expect((await call(`/api/v1/events/${event.id}/waitlist/me`, { headers: as(waiting!) })).status).toBe(200);
    expect((await call(`/api/v1/events/${event.id}/waitlist`, { method: 'DELETE', headers: as(waiting!) })).status).toBe(204);
    await expectProblem(await getEvent(event.id, waiting!), 404);
  });

  it('the invitee may decline their own invitation, and then no longer sees the event', async () => {
    const organizer = await quickUser();
    const guest = await quickUser();
    const event = await privateEvent(organizer);
    await invite(event.id, organizer, { userIds: [guest.id] });
    expect((await uninvite(event.id, guest, guest.id)).status).toBe(204);
    expect(await invitationRows(event.id)).toEqual([]);
    await expectProblem(await getEvent(event.id, guest), 404);
    await expectProblem(await uninvite(event.id, guest, guest.id), 404);
    expect(((await (await mine(guest)).json()) as { items: unknown[] }).items).toEqual([]);
  });

  it('invitations to a public event only notify; staff with manage_attendees or edit_event may invite', async () => {
    const organizer = await quickUser();
    const staff = await quickUser(['manage_attendees']);
    const editor = await quickUser(['edit_event']);
    const [first, second] = await quickUsers(2);
    const event = await createEvent(organizer);
    expect(await (await invite(event.id, staff, { userIds: [first!.id] })).json()).toEqual({ invited: [first!.id], alreadyInvited: [] });
    expect(await (await invite(event.id, editor, { userIds: [second!.id, first!.id] })).json()).toEqual({ invited: [second!.id], alreadyInvited: [first!.id] });
    expect(await invitationRows(event.id)).toEqual(
      [{ invitee_id: first!.id, invited_by: staff.id }, { invitee_id: second!.id, invited_by: editor.id }].sort((a, b) => a.invitee_id.localeCompare(b.invitee_id)),
    );
    expect(await outboxOf(event.id, 'event.invitation')).toHaveLength(2);
    const privateOne = await privateEvent(organizer);
    expect((await listInvitations(privateOne.id, staff)).status).toBe(200);
    // They see the private event they run invitations for (not as a manager: no virtual link, no edits).
    expect((await call(`/api/v1/events/${privateOne.id}`, { headers: bearer(staff.tokens.accessToken) })).status).toBe(200);
  });
});

describe('inviting: rules and races', () => {
  it('20 parallel calls inviting the same accounts leave one invitation and one message each', async () => {
    const organizer = await quickUser();
    const event = await privateEvent(organizer);
    const guests = await quickUsers(5);
    const ids = guests.map((guest) => guest.id);
    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => invite(event.id, organizer, { userIds: i % 2 ? ids : [...ids].reverse() })));
    expect(responses.map((response) => response.status)).toEqual(Array(20).fill(200));
    const bodies = (await Promise.all(responses.map((response) => response.json()))) as { invited: string[]; alreadyInvited: string[] }[];
    expect(bodies.flatMap((body) => body.invited).sort()).toEqual([...ids].sort());
    expect(await invitationRows(event.id)).toHaveLength(5);
    const messages = await outboxOf(event.id, 'event.invitation');
    expect(messages.map((message) => message.inviteeId).sort()).toEqual([...ids].sort());
  });

  it('unknown or deleted accounts and the organizer themself are a 422 naming them, and nobody is invited', async () => {
    const organizer = await quickUser();
    const [guest, gone] = await quickUsers(2);
    await testStores().postgres.query("update accounts set status = 'deleted', deleted_at = now() where id = $1", [gone!.id]);
    const event = await privateEvent(organizer);
    const nobody = crypto.randomUUID();
    const unknown = await expectProblem(await invite(event.id, organizer, { userIds: [guest!.id, nobody, gone!.id] }), 422);
    expect((unknown.userIds as string[]).sort()).toEqual([nobody, gone!.id].sort());
    const self = await expectProblem(await invite(event.id, organizer, { userIds: [organizer.id, guest!.id] }), 422);
    expect(self.userIds).toEqual([organizer.id]);
    expect(await invitationRows(event.id)).toEqual([]);
    expect(await outboxOf(event.id, 'event.invitation')).toEqual([]);
  });

  it('drafts and cancelled events take no invitations (409)', async () => {
    const organizer = await quickUser();
    const guest = await quickUser();
    const draft = await privateEvent(organizer, { status: 'draft' });
    await expectProblem(await invite(draft.id, organizer, { userIds: [guest.id] }), 409);
    const cancelled = await privateEvent(organizer);
    expect((await call(`/api/v1/events/${cancelled.id}`, { method: 'DELETE', headers: as(organizer) })).status).toBe(200);
    await expectProblem(await invite(cancelled.id, organizer, { userIds: [guest.id] }), 409);
  });
});

describe('invitations: authorization', () => {
  it('a stranger is told 404 on a private event and 403 on a public one; an attendee or invitee 403', async () => {
    const organizer = await quickUser();
    const [stranger, attendee, guest, target] = await quickUsers(4);
    const secret = await privateEvent(organizer);
    const open = await createEvent(organizer);
    await invite(secret.id, organizer, { userIds: [guest!.id, target!.id] });
    await invite(open.id, organizer, { userIds: [target!.id] });
    expect((await attend(open.id, attendee!)).status).toBe(201);
    expect((await attend(secret.id, guest!)).status).toBe(201);

    for (const [event, status] of [[secret, 404], [open, 403]] as const) {
      await expectProblem(await invite(event.id, stranger!, { userIds: [stranger!.id] }), status);
      await expectProblem(await listInvitations(event.id, stranger!), status);
      await expectProblem(await uninvite(event.id, stranger!, target!.id), status);
    }
    for (const [event, user] of [[open, attendee!], [secret, guest!]] as const) {
      await expectProblem(await invite(event.id, user, { userIds: [stranger!.id] }), 403);
      await expectProblem(await listInvitations(event.id, user), 403);
      await expectProblem(await uninvite(event.id, user, target!.id), 403);
    }
    await expectProblem(await call(`/api/v1/events/${secret.id}/invitations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userIds: [stranger!.id] }) }), 401);
    await expectProblem(await call('/api/v1/events/invitations/me'), 401);
    expect((await invitationRows(secret.id)).map((row) => row.invitee_id).sort()).toEqual([guest!.id, target!.id].sort());
    expect(await invitationRows(open.id)).toHaveLength(1);
  });

  it('an invitee may not change the private event they see, nor its occurrences (403)', async () => {
    const organizer = await quickUser();
    const [guest, stranger] = await quickUsers(2);
    const event = await privateEvent(organizer);
    await invite(event.id, organizer, { userIds: [guest!.id] });
    const change = (user: TestUser) => callJson(`/api/v1/events/${event.id}`, 'PUT', { title: 'Renamed' }, as(user));
    await expectProblem(await change(guest!), 403);
    await expectProblem(await change(stranger!), 404);
  });
});

describe('invitations: hostile input', () => {
  it('bad uuids, too many ids, extra keys and __proto__ are 400 problems and write nothing', async () => {
    const organizer = await quickUser();
    const guest = await quickUser();
    const event = await privateEvent(organizer);
    const tooMany = Array.from({ length: 101 }, () => crypto.randomUUID());
    const bodies: unknown[] = [
      {}, { userIds: [] }, { userIds: tooMany }, { userIds: ['not-a-uuid'] }, { userIds: [`${guest.id}' or 1=1 --`] },
      { userIds: guest.id }, { userIds: [guest.id], extra: true }, { userIds: [guest.id], $where: '1' },
    ];
    for (const body of bodies) await expectProblem(await invite(event.id, organizer, body), 400);
    const proto = await call(`/api/v1/events/${event.id}/invitations`, {
      method: 'POST', headers: { 'content-type': 'application/json', ...as(organizer) }, body: `{"userIds":["${guest.id}"],"__proto__":{"admin":true}}`,
    });
    await expectProblem(proto, 400);
    await expectProblem(await invite('not-a-uuid', organizer, { userIds: [guest.id] }), 400);
    await expectProblem(await uninvite(event.id, organizer, 'not-a-uuid'), 400);
    await expectProblem(await listInvitations(event.id, organizer, '?limit=1000'), 400);
    await expectProblem(await listInvitations(event.id, organizer, '?cursor=bogus'), 400);
    await expectProblem(await mine(guest, '?cursor[$gt]=1'), 400);
    expect(await invitationRows(event.id)).toEqual([]);
    expect(await outboxOf(event.id, 'event.invitation')).toEqual([]);
  });

  it('pages through an event\'s invitations with the cursor', async () => {
    const organizer = await quickUser();
    const event = await privateEvent(organizer);
    const guests = await quickUsers(5);
    await invite(event.id, organizer, { userIds: guests.map((guest) => guest.id) });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = (await (await listInvitations(event.id, organizer, `?limit=2${cursor ? `&cursor=${cursor}` : ''}`)).json()) as { items: { userId: string }[]; nextCursor: string | null };
      seen.push(...page.items.map((item) => item.userId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual(guests.map((guest) => guest.id).sort());
  });
});
