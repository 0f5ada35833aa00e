import type { Postgres, PostgresTransaction } from '../../../shared/stores/index.ts';
import type { PagePosition } from './registrations.ts';

type Db = Pick<Postgres, 'query'> | PostgresTransaction;

/** Where an account stands with an event, for the visibility rule (event-visibility.ts). */
export interface ViewerStanding {
  invited: boolean;
  /** An active (confirmed or checked-in) registration. */
  registered: boolean;
  /** A live place in the waitlist (waiting, or holding an offer). */
  queued: boolean;
}

export interface InvitationRow {
  invitee_id: string;
  invited_by: string;
  created_at: Date;
  username: string;
  display_name: string | null;
  registered: boolean;
}

export interface MyInvitationRow {
  event_id: string;
  invited_by: string;
  created_at: Date;
  title: string;
  starts_at: Date;
  ends_at: Date;
  timezone: string;
  event_status: string;
  registered: boolean;
}

const ACTIVE_REGISTRATION = (event: string, account: string) =>
  `exists (select 1 from registrations r where r.event_id = ${event} and r.account_id = ${account} and r.status in ('confirmed', 'checked_in'))`;

/** Invitations to events: who may see a private event besides its managers and attendees. */
export const invitationsRepo = {
  /** One round trip for every fact the visibility rule needs. */
  async standing(db: Db, eventId: string, accountId: string): Promise<ViewerStanding> {
    const [row] = await db.query<ViewerStanding>(
      `select exists (select 1 from event_invitations where event_id = $1 and invitee_id = $2) as invited,
              ${ACTIVE_REGISTRATION('$1', '$2')} as registered,
              exists (select 1 from waitlist_entries w where w.event_id = $1 and w.account_id = $2 and w.status in ('waiting', 'offered')) as queued`,
      [eventId, accountId],
    );
    return row!;
  },

  /** The ids among `accountIds` that name no account, or a deleted one. */
  async unknownAccounts(db: Db, accountIds: readonly string[]): Promise<string[]> {
    const rows = await db.query<{ id: string }>(
      `select i.id from unnest($1::uuid[]) as i (id)
        where not exists (select 1 from accounts a where a.id = i.id and a.status <> 'deleted')
        order by i.id`,
      [accountIds],
    );
    return rows.map((row) => row.id);
  },

  /**
   * Invites the accounts not yet invited and returns only those. The primary key makes a
   * concurrent invitation of the same account wait for the other to commit and then do nothing,
   * so each invitation is created (and announced) once.
   */
  async insertMissing(tx: PostgresTransaction, eventId: string, inviteeIds: readonly string[], invitedBy: string): Promise<string[]> {
    const rows = await tx.query<{ invitee_id: string }>(
      `insert into event_invitations (event_id, invitee_id, invited_by)
       select $1, i.id, $3 from unnest($2::uuid[]) as i (id)
       on conflict (event_id, invitee_id) do nothing
       returning invitee_id`,
      [eventId, inviteeIds, invitedBy],
    );
    return rows.map((row) => row.invitee_id);
  },

  async remove(db: Db, eventId: string, inviteeId: string): Promise<boolean> {
    const rows = await db.query('delete from event_invitations where event_id = $1 and invitee_id = $2 returning 1', [eventId, inviteeId]);
    return rows.length > 0;
  },

  /** One page of an event's invitations, oldest first, with whether each invitee attends. */
  async ofEvent(db: Db, eventId: string, after: PagePosition | null, limit: number): Promise<InvitationRow[]> {
    return db.query<InvitationRow>(
      `select i.invitee_id, i.invited_by, i.created_at, a.username, p.display_name,
              ${ACTIVE_REGISTRATION('i.event_id', 'i.invitee_id')} as registered
         from event_invitations i join accounts a on a.id = i.invitee_id left join profiles p on p.account_id = i.invitee_id
        where i.event_id = $1
          and ($2::timestamptz is null or (date_trunc('milliseconds', i.created_at), i.invitee_id) > ($2, $3::uuid))
        order by date_trunc('milliseconds', i.created_at), i.invitee_id
        limit $4`,
      [eventId, after?.at ?? null, after?.id ?? null, limit],
    );
  },

  /** One page of the account's invitations to events not over yet (and not drafts), soonest first. */
  async ofInvitee(db: Db, accountId: string, after: PagePosition | null, limit: number): Promise<MyInvitationRow[]> {
    return db.query<MyInvitationRow>(
      `select i.event_id, i.invited_by, i.created_at, e.title, e.starts_at, e.ends_at, e.timezone, e.status as event_status,
              ${ACTIVE_REGISTRATION('i.event_id', 'i.invitee_id')} as registered
         from event_invitations i join events e on e.id = i.event_id
        where i.invitee_id = $1 and e.status <> 'draft' and e.series_ends_at > now()
          and ($2::timestamptz is null or (date_trunc('milliseconds', e.starts_at), e.id) > ($2, $3::uuid))
        order by date_trunc('milliseconds', e.starts_at), e.id
        limit $4`,
      [accountId, after?.at ?? null, after?.id ?? null, limit],
    );
  },
};
