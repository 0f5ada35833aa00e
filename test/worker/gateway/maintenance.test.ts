import { createExecutionContext, createScheduledController, env, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../../workers/gateway/index.ts';
import { createEvent } from '../../support/events.ts';
import { call } from '../../support/http.ts';
import { testStores } from '../../support/stores.ts';
import { attend, cancelAttendance, quickUser } from '../../support/ticketing.ts';
import { eventually } from '../../support/wait.ts';

const { postgres } = testStores();

async function runCron(): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: '* * * * *' }), env, ctx);
  await waitOnExecutionContext(ctx);
}

describe('maintenance cron', () => {
  it('passes an expired waitlist offer to the next in line and sends the offer message in the same run', async () => {
    const organizer = await quickUser();
    const event = await createEvent(organizer, { capacity: 1 });
    const [holder, first, second] = [await quickUser(), await quickUser(), await quickUser()];
    expect((await attend(event.id, holder)).status).toBe(201);
    expect((await attend(event.id, first)).status).toBe(202);
    expect((await attend(event.id, second)).status).toBe(202);
    expect((await cancelAttendance(event.id, holder)).status).toBe(204);
    await postgres.query(
      "update waitlist_entries set offered_at = now() - interval '2 minutes', offer_expires_at = now() - interval '1 minute' where event_id = $1 and status = 'offered'",
      [event.id],
    );

    await runCron();

    const entries = await postgres.query<{ account_id: string; status: string }>(
      'select account_id, status from waitlist_entries where event_id = $1 order by created_at, id', [event.id]);
    expect(entries).toEqual([{ account_id: first.id, status: 'expired' }, { account_id: second.id, status: 'offered' }]);
    const offers = await postgres.query<{ published: boolean }>(
      "select published_at is not null as published from outbox_events where type = 'waitlist.offered' and payload->>'eventId' = $1 and payload->>'userId' = $2",
      [event.id, second.id]);
    expect(offers).toEqual([{ published: true }]);
  });

  it('applies counted page views to the event', async () => {
    const organizer = await quickUser();
    const event = await createEvent(organizer);
    for (let i = 0; i < 3; i += 1) expect((await call(`/api/v1/events/${event.id}`, { headers: { 'cf-connecting-ip': `10.9.9.${i + 1}` } })).status).toBe(200);
    const counted = await eventually(async () => {
      await runCron();
      return postgres.query<{ view_count: string }>('select view_count from events where id = $1', [event.id]);
    }, (rows) => Number(rows[0]!.view_count) === 3);
    expect(Number(counted[0]!.view_count)).toBe(3);
  });
});
