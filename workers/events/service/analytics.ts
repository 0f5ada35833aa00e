import { hasPermission, type AuthContext } from '../../../shared/auth/middleware.ts';
import { AppError } from '../../../shared/errors.ts';
import type { Stores } from '../../../shared/stores/index.ts';
import type { EventRow } from '../repo/events.ts';
import { getEventForViewer } from './events.ts';
import { pendingEventViews } from './views.ts';

type AnalyticsRow = Pick<EventRow, 'organizer_id' | 'view_count' | 'like_count' | 'comment_count' | 'share_count'
  | 'registration_count' | 'checkin_count' | 'seats_sold' | 'seats_held' | 'capacity'> & {
  waitlist_waiting: number;
  waitlist_offered: number;
  shares_by_channel: Record<string, number>;
};

/**
 * The event's numbers for its organizer or a holder of view_analytics (admins hold every
 * permission): views (flushed and still pending in Redis), registrations, check-ins and their
 * rate, seats, likes, comments, shares (in all and by channel) and the waitlist. Others get 403 if they can see the
 * event at all, 404 if not.
 */
export async function eventAnalytics(stores: Stores, viewer: AuthContext, eventId: string) {
  const [row] = await stores.postgres.query<AnalyticsRow>(
    `select e.organizer_id, e.view_count, e.like_count, e.comment_count, e.share_count, e.registration_count,
            e.checkin_count, e.seats_sold, e.seats_held, e.capacity,
            count(w.id) filter (where w.status = 'waiting')::int as waitlist_waiting,
            count(w.id) filter (where w.status = 'offered')::int as waitlist_offered,
            (select coalesce(jsonb_object_agg(s.channel, s.shares), '{}') from event_share_channels s where s.event_id = e.id) as shares_by_channel
       from events e left join waitlist_entries w on w.event_id = e.id and w.status in ('waiting', 'offered')
      where e.id = $1 group by e.id`,
    [eventId],
  );
  const allowed = row !== undefined && (row.organizer_id === viewer.userId || hasPermission(viewer, 'view_analytics'));
  if (!allowed) {
    await getEventForViewer(stores, eventId, viewer); // 404 when the caller may not even see it
    throw new AppError('forbidden', 'Only the organizer or a holder of view_analytics may see an event\'s analytics.');
  }
  const views = Number(row.view_count) + await pendingEventViews(stores, eventId);
  return {
    eventId,
    views,
    registrations: row.registration_count,
    checkins: row.checkin_count,
    checkinRate: row.registration_count === 0 ? 0 : Math.round((row.checkin_count / row.registration_count) * 10_000) / 10_000,
    seats: { sold: row.seats_sold, held: row.seats_held, capacity: row.capacity },
    likes: row.like_count,
    comments: row.comment_count,
    shares: row.share_count,
    sharesByChannel: row.shares_by_channel,
    waitlist: { waiting: row.waitlist_waiting, offered: row.waitlist_offered, total: row.waitlist_waiting + row.waitlist_offered },
  };
}
