import { hasPermission, type AuthContext } from '../../../shared/auth/middleware.ts';
import type { EventRow } from '../repo/events.ts';
import type { EventDocument } from '../schemas.ts';

const minor = (value: string | number | null) => (value === null ? null : Number(value));

/** The full document of an event, as cached; virtualUrl is removed per viewer by `forViewer`. */
export function eventDocument(row: EventRow): EventDocument {
  return {
    id: row.id,
    organizerId: row.organizer_id,
    title: row.title,
    summary: row.summary,
    description: row.description,
    categoryId: row.category_id,
    status: row.status,
    type: row.type,
    visibility: row.visibility,
    venueId: row.venue_id,
    location: row.lat !== null && row.lng !== null ? { lat: row.lat, lng: row.lng } : null,
    address: row.address,
    startsAt: row.starts_at.toISOString(),
    endsAt: row.ends_at.toISOString(),
    timezone: row.timezone,
    recurrence: row.recurrence,
    virtualProvider: row.virtual_provider,
    virtualUrl: row.virtual_url,
    imageUrl: row.image_url,
    capacity: row.capacity,
    seatsSold: row.seats_sold,
    seatsAvailable: row.capacity === null ? null : Math.max(0, row.capacity - row.seats_sold - row.seats_held),
    isFree: row.is_free,
    priceMinMinor: minor(row.price_min_minor),
    priceMaxMinor: minor(row.price_max_minor),
    currency: row.currency,
    tags: row.tags,
    counts: {
      views: Number(row.view_count),
      likes: row.like_count,
      comments: row.comment_count,
      shares: row.share_count,
      registrations: row.registration_count,
      checkins: row.checkin_count,
    },
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    publishedAt: row.published_at?.toISOString() ?? null,
    cancelledAt: row.cancelled_at?.toISOString() ?? null,
    cancellationReason: row.cancellation_reason,
  };
}

/** Whether the caller manages the event: its organizer, or anyone holding edit_event. */
export function managesEvent(viewer: AuthContext | null, organizerId: string | null): boolean {
  return viewer !== null && (viewer.userId === organizerId || hasPermission(viewer, 'edit_event'));
}

/** The document without the virtual link, for everyone but managers and registered attendees. */
export function withoutLink(document: EventDocument): EventDocument {
  const { virtualUrl: _hidden, ...rest } = document;
  return rest;
}
