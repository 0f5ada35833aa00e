import type { AuthContext } from '../../../shared/auth/middleware.ts';
import { AppError } from '../../../shared/errors.ts';
import type { Postgres } from '../../../shared/stores/index.ts';
import type { UpdateProfileInput, Visibility } from '../profile-schemas.ts';
import { profilesRepo, type ProfileChanges, type ProfileRow } from '../repo/profiles.ts';

const notFound = () => new AppError('not_found', 'No such profile.');

const canSeeEverything = (viewer: AuthContext, accountId: string) => viewer.userId === accountId || viewer.role === 'admin';

/**
 * Whether a viewer who is neither the owner nor an admin may see something at this level.
 * 'connections' needs the social service (who is connected to whom), which does not exist yet:
 * until it does, 'connections' is treated like 'private' for everyone else.
 */
const visibleToOthers = (level: Visibility) => level === 'public';

function view(row: ProfileRow, full: boolean) {
  const showLocation = full || visibleToOthers(row.location_visibility);
  const showAttendance = full || visibleToOthers(row.attendance_visibility);
  return {
    id: row.account_id,
    username: row.username,
    displayName: row.display_name,
    bio: row.bio,
    avatarUrl: row.avatar_url,
    interests: row.interests,
    // Hidden and unset look the same to others.
    location: showLocation && row.lat !== null && row.lng !== null
      ? { lat: row.lat, lng: row.lng, name: row.location_name, updatedAt: row.location_updated_at?.toISOString() ?? null }
      : null,
    ...(full ? { privacy: { profileVisibility: row.profile_visibility, locationVisibility: row.location_visibility, attendanceVisibility: row.attendance_visibility } } : {}),
    karma: row.karma,
    stats: {
      eventsAttended: showAttendance ? row.events_attended_count : null,
      eventsOrganized: row.events_organized_count,
      connections: row.connections_count,
      followers: row.followers_count,
      following: row.following_count,
      crews: row.crews_count,
    },
    memberSince: row.account_created_at.toISOString(),
  };
}

export type ProfileView = ReturnType<typeof view>;

/**
 * A profile as `viewer` may see it. A profile its owner keeps from others answers exactly like
 * one that does not exist, so its existence is not revealed.
 */
export async function getProfile(postgres: Postgres, viewer: AuthContext, accountId: string): Promise<ProfileView> {
  const row = await profilesRepo.find(postgres, accountId);
  const full = canSeeEverything(viewer, accountId);
  if (!row || (!full && !visibleToOthers(row.profile_visibility))) throw notFound();
  return view(row, full);
}

/** Updates a profile: only its owner or an admin (checked before anything is read). */
export async function updateProfile(postgres: Postgres, viewer: AuthContext, accountId: string, input: UpdateProfileInput): Promise<ProfileView> {
  if (!canSeeEverything(viewer, accountId)) throw new AppError('forbidden', 'Only the user themself or an admin may change a profile.');
  const changes: ProfileChanges = {
    displayName: input.displayName,
    bio: input.bio === '' ? null : input.bio,
    avatarUrl: input.avatarUrl,
    interests: input.interests && dedupe(input.interests),
    // null clears the location, undefined leaves it.
    location: input.location && { lat: input.location.lat, lng: input.location.lng, name: input.location.name ?? null },
    profileVisibility: input.privacy?.profileVisibility,
    locationVisibility: input.privacy?.locationVisibility,
    attendanceVisibility: input.privacy?.attendanceVisibility,
  };
  if (!(await profilesRepo.update(postgres, accountId, changes))) throw notFound();
  return getProfile(postgres, viewer, accountId);
}

// Interests keep the first spelling of each (case-insensitive) and the order given.
function dedupe(interests: string[]): string[] {
  const seen = new Set<string>();
  return interests.filter((interest) => {
    const key = interest.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
