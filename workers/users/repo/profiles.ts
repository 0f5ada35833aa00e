import type { Postgres, PostgresTransaction } from '../../../shared/stores/index.ts';
import type { Visibility } from '../profile-schemas.ts';

type Db = Pick<Postgres, 'query'> | PostgresTransaction;

/** Karma and the statistics counters a profile keeps (read-only for the API). */
export interface ProfileCounters {
  karma: number;
  events_attended_count: number;
  events_organized_count: number;
  connections_count: number;
  followers_count: number;
  following_count: number;
  crews_count: number;
}

/** A profile with its account's public identity, location as coordinates, and counters. */
export interface ProfileRow extends ProfileCounters {
  account_id: string;
  username: string;
  account_created_at: Date;
  display_name: string | null;
  bio: string | null;
  avatar_url: string | null;
  interests: string[];
  lat: number | null;
  lng: number | null;
  location_name: string | null;
  location_updated_at: Date | null;
  profile_visibility: Visibility;
  location_visibility: Visibility;
  attendance_visibility: Visibility;
}

/** The columns a profile update may set (counters and karma are never written here). */
export interface ProfileChanges {
  displayName?: string;
  bio?: string | null;
  avatarUrl?: string | null;
  interests?: string[];
  location?: { lat: number; lng: number; name: string | null } | null;
  profileVisibility?: Visibility;
  locationVisibility?: Visibility;
  attendanceVisibility?: Visibility;
}

const PROFILE_SELECT = `select p.account_id, a.username, a.created_at as account_created_at, p.display_name, p.bio,
  p.avatar_url, p.interests, st_y(p.location::geometry) as lat, st_x(p.location::geometry) as lng, p.location_name,
  p.location_updated_at, p.profile_visibility, p.location_visibility, p.attendance_visibility, p.karma,
  p.events_attended_count, p.events_organized_count, p.connections_count, p.followers_count, p.following_count,
  p.crews_count
  from profiles p join accounts a on a.id = p.account_id`;

const SIMPLE_COLUMNS = {
  displayName: 'display_name',
  bio: 'bio',
  avatarUrl: 'avatar_url',
  interests: 'interests',
  profileVisibility: 'profile_visibility',
  locationVisibility: 'location_visibility',
  attendanceVisibility: 'attendance_visibility',
} as const satisfies Partial<Record<keyof ProfileChanges, string>>;

/** Profiles in Postgres (one per account, created with it). */
export const profilesRepo = {
  async find(db: Db, accountId: string): Promise<ProfileRow | null> {
    const rows = await db.query<ProfileRow>(`${PROFILE_SELECT} where p.account_id = $1 and a.status = 'active'`, [accountId]);
    return rows[0] ?? null;
  },

  /** Applies the changes in one statement; false when the profile does not exist. */
  async update(db: Db, accountId: string, changes: ProfileChanges): Promise<boolean> {
    const params: unknown[] = [accountId];
    const sets: string[] = [];
    const param = (value: unknown) => `$${params.push(value)}`;
    for (const [key, column] of Object.entries(SIMPLE_COLUMNS) as [keyof typeof SIMPLE_COLUMNS, string][]) {
      if (changes[key] !== undefined) sets.push(`${column} = ${param(changes[key])}`);
    }
    if (changes.location === null) {
      sets.push('location = null', 'location_name = null', 'location_updated_at = now()');
    } else if (changes.location) {
      const { lat, lng, name } = changes.location;
      // PostGIS points are (x, y) = (longitude, latitude).
      sets.push(
        `location = st_setsrid(st_makepoint(${param(lng)}::float8, ${param(lat)}::float8), 4326)::geography`,
        `location_name = ${param(name)}`,
        'location_updated_at = now()',
      );
    }
    if (sets.length === 0) return (await this.find(db, accountId)) !== null;
    const rows = await db.query(
      `update profiles p set ${sets.join(', ')} from accounts a
        where p.account_id = $1 and a.id = p.account_id and a.status = 'active' returning p.account_id`,
      params,
    );
    return rows.length > 0;
  },
};
