import type { Postgres } from '../../../shared/stores/index.ts';

/** An achievement of the catalogue with one account's progress towards it. */
export interface AchievementRow {
  code: string;
  name: string;
  description: string | null;
  icon_url: string | null;
  metric: string;
  threshold: number;
  /** The account's current value of the metric (the profile counter it is earned by). */
  progress: number;
  awarded_at: Date | null;
}

/**
 * The catalogue (migrations 0002 and 0020), each entry with the account's progress and when it
 * was earned. Awards are made by a trigger on the profile counters, never here.
 */
export async function achievementsOf(db: Pick<Postgres, 'query'>, accountId: string): Promise<AchievementRow[]> {
  return db.query<AchievementRow>(
    `select a.code, a.name, a.description, a.icon_url, a.criteria->>'metric' as metric,
            (a.criteria->>'threshold')::int as threshold, earned.awarded_at,
            coalesce(case a.criteria->>'metric'
                       when 'events_attended' then p.events_attended_count
                       when 'events_organized' then p.events_organized_count
                       when 'karma' then p.karma
                     end, 0) as progress
       from achievements a
       left join account_achievements earned on earned.achievement_id = a.id and earned.account_id = $1
       left join profiles p on p.account_id = $1
      order by metric, threshold, a.code`,
    [accountId],
  );
}
