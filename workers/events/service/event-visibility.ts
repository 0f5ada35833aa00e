import { hasPermission, type AuthContext } from '../../../shared/auth/middleware.ts';
import { AppError } from '../../../shared/errors.ts';
import type { Postgres, PostgresTransaction } from '../../../shared/stores/index.ts';
import { invitationsRepo, type ViewerStanding } from '../repo/invitations.ts';

type Db = Pick<Postgres, 'query'> | PostgresTransaction;

/** What the visibility rule reads of an event. */
export interface VisibilityFacts {
  id: string;
  status: string;
  visibility: string;
}

/** The standing of an anonymous viewer, or of one whose standing does not matter. */
export const NO_STANDING: ViewerStanding = Object.freeze({ invited: false, registered: false, queued: false });

/** Staff with manage_attendees run the attendee lists and invitations of any event, private ones included. */
const runsAttendees = (viewer: AuthContext | null) => viewer !== null && hasPermission(viewer, 'manage_attendees');

/**
 * The one rule of who is shown an event at all: those who manage it always; nobody else a
 * draft; a private event only staff with manage_attendees, its invitees, attendees with an
 * active registration and those in its waitlist (so whoever was let in can still leave, take an
 * offered seat or use their ticket after an invitation is revoked). Everyone else is told "not
 * found", so nobody learns that the event exists.
 */
export function hiddenFrom(event: VisibilityFacts, manages: boolean, viewer: AuthContext | null, standing: ViewerStanding): boolean {
  if (manages) return false;
  if (event.status === 'draft') return true;
  return event.visibility === 'private' && !runsAttendees(viewer) && !standing.invited && !standing.registered && !standing.queued;
}

/** Whether the rule needs the viewer's standing: a private event (not a draft) they neither manage nor run attendees of. */
export function dependsOnStanding(event: VisibilityFacts, manages: boolean, viewer: AuthContext | null): boolean {
  return !manages && event.status !== 'draft' && event.visibility === 'private' && !runsAttendees(viewer);
}

/** Where `viewer` stands with the event (one Postgres round trip; none for anonymous viewers). */
export async function standingOf(db: Db, eventId: string, viewer: AuthContext | null): Promise<ViewerStanding> {
  return viewer === null ? NO_STANDING : invitationsRepo.standing(db, eventId, viewer.userId);
}

/**
 * 404 unless `viewer` may see the event. Postgres is asked only when the answer depends on the
 * viewer's standing (dependsOnStanding).
 */
export async function ensureVisible(db: Db, event: VisibilityFacts, manages: boolean, viewer: AuthContext | null): Promise<void> {
  const standing = dependsOnStanding(event, manages, viewer) ? await standingOf(db, event.id, viewer) : NO_STANDING;
  if (hiddenFrom(event, manages, viewer, standing)) throw new AppError('not_found', 'No such event.');
}
