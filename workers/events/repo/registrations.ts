import type { Postgres, PostgresTransaction } from '../../../shared/stores/index.ts';

type Db = Pick<Postgres, 'query'> | PostgresTransaction;

export type RegistrationStatus = 'confirmed' | 'cancelled' | 'checked_in';

/** A registration; the seat counters follow it by trigger (0008_ticketing.sql). */
export interface RegistrationRow {
  id: string;
  event_id: string;
  account_id: string;
  tier_id: string | null;
  quantity: number;
  status: RegistrationStatus;
  amount_minor: string;
  currency: string | null;
  waitlist_entry_id: string | null;
  created_at: Date;
  cancelled_at: Date | null;
  checked_in_at: Date | null;
}

/** A registration with the attendee's names, for organizers. */
export interface AttendeeRow extends RegistrationRow {
  username: string;
  display_name: string | null;
}

/** A registration with the event it is for, for the attendee. */
export interface MyRegistrationRow extends RegistrationRow {
  title: string;
  starts_at: Date;
  ends_at: Date;
  timezone: string;
  event_status: string;
}

export interface NewRegistration {
  eventId: string;
  accountId: string;
  tierId: string | null;
  quantity: number;
  amountMinor: number;
  currency: string | null;
  waitlistEntryId: string | null;
}

/** Where a page starts: after the row with this time and id (times compared to the millisecond, as cursors carry them). */
export interface PagePosition {
  at: Date;
  id: string;
}

const COLUMNS = `r.id, r.event_id, r.account_id, r.tier_id, r.quantity, r.status, r.amount_minor, r.currency,
  r.waitlist_entry_id, r.created_at, r.cancelled_at, r.checked_in_at`;

const ACTIVE = `('confirmed', 'checked_in')`;

// Only ever called with the validated enum values below, never with client text.
const statusFilter = (status: 'confirmed' | 'checked_in' | 'cancelled' | 'active' | 'all') =>
  status === 'active' ? `r.status in ${ACTIVE}` : status === 'all' ? 'true' : `r.status = '${status}'`;

/** Registrations (attendees) in Postgres. */
export const registrationsRepo = {
  /**
   * Takes the seats. Fails with SQLSTATE 23514 (events_not_oversold / ticket_tiers_not_oversold)
   * when they are gone, and 23505 (registrations_one_active_key) when the account already attends.
   */
  async insert(tx: PostgresTransaction, input: NewRegistration): Promise<RegistrationRow> {
    const [row] = await tx.query<RegistrationRow>(
      `insert into registrations as r (event_id, account_id, tier_id, quantity, amount_minor, currency, waitlist_entry_id)
       values ($1, $2, $3, $4, $5, $6, $7)
       returning ${COLUMNS}`,
      [input.eventId, input.accountId, input.tierId, input.quantity, input.amountMinor, input.currency, input.waitlistEntryId],
    );
    return row!;
  },

  async findActive(db: Db, eventId: string, accountId: string): Promise<RegistrationRow | null> {
    const [row] = await db.query<RegistrationRow>(
      `select ${COLUMNS} from registrations r where r.event_id = $1 and r.account_id = $2 and r.status in ${ACTIVE}`,
      [eventId, accountId],
    );
    return row ?? null;
  },

  /**
   * The published events still to come on which the account holds seats: a confirmed
   * registration, or a waitlist offer holding seats for it.
   */
  async eventsWithSeatsOf(db: Db, accountId: string): Promise<string[]> {
    const rows = await db.query<{ id: string }>(
      // Driven by the account's own rows (both tables are indexed by account), not by the events.
      `select e.id
         from (select event_id from registrations where account_id = $1 and status = 'confirmed'
               union
               select event_id from waitlist_entries where account_id = $1 and status = 'offered') held
         join events e on e.id = held.event_id
        where e.status = 'published' and e.series_ends_at > now()`,
      [accountId],
    );
    return rows.map((row) => row.id);
  },

  /** Cancels the account's confirmed registration (frees its seats); null when there is none. */
  async cancelConfirmed(tx: PostgresTransaction, eventId: string, accountId: string): Promise<RegistrationRow | null> {
    const [row] = await tx.query<RegistrationRow>(
      `update registrations r set status = 'cancelled', cancelled_at = now()
        where r.event_id = $1 and r.account_id = $2 and r.status = 'confirmed'
        returning ${COLUMNS}`,
      [eventId, accountId],
    );
    return row ?? null;
  },

  async attendee(db: Db, eventId: string, registrationId: string): Promise<AttendeeRow | null> {
    const [row] = await db.query<AttendeeRow>(
      `select ${COLUMNS}, a.username, p.display_name
         from registrations r join accounts a on a.id = r.account_id left join profiles p on p.account_id = r.account_id
        where r.id = $1 and r.event_id = $2`,
      [registrationId, eventId],
    );
    return row ?? null;
  },

  /** One page of an event's attendees in registration order. */
  async attendees(db: Db, eventId: string, status: Parameters<typeof statusFilter>[0], after: PagePosition | null, limit: number): Promise<AttendeeRow[]> {
    return db.query<AttendeeRow>(
      `select ${COLUMNS}, a.username, p.display_name
         from registrations r join accounts a on a.id = r.account_id left join profiles p on p.account_id = r.account_id
        where r.event_id = $1 and ${statusFilter(status)}
          and ($2::timestamptz is null or (date_trunc('milliseconds', r.created_at), r.id) > ($2, $3::uuid))
        order by date_trunc('milliseconds', r.created_at), r.id
        limit $4`,
      [eventId, after?.at ?? null, after?.id ?? null, limit],
    );
  },

  /** One page of the account's registrations: upcoming soonest first, or past latest first. */
  async ofAccount(db: Db, accountId: string, when: 'upcoming' | 'past', status: 'active' | 'cancelled' | 'all', after: PagePosition | null, limit: number): Promise<MyRegistrationRow[]> {
    const upcoming = when === 'upcoming';
    return db.query<MyRegistrationRow>(
      `select ${COLUMNS}, e.title, e.starts_at, e.ends_at, e.timezone, e.status as event_status
         from registrations r join events e on e.id = r.event_id
        where r.account_id = $1 and ${statusFilter(status)}
          and ${upcoming ? 'e.ends_at >= now()' : 'e.ends_at < now()'}
          and ($2::timestamptz is null or (date_trunc('milliseconds', e.starts_at), r.id) ${upcoming ? '>' : '<'} ($2, $3::uuid))
        order by date_trunc('milliseconds', e.starts_at) ${upcoming ? 'asc' : 'desc'}, r.id ${upcoming ? 'asc' : 'desc'}
        limit $4`,
      [accountId, after?.at ?? null, after?.id ?? null, limit],
    );
  },
};
