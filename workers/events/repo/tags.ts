import { AppError } from '../../../shared/errors.ts';
import type { Postgres, PostgresTransaction } from '../../../shared/stores/index.ts';

type Db = Pick<Postgres, 'query'> | PostgresTransaction;

/** A tag as events carry it. */
export interface TagRow {
  id: string;
  slug: string;
  name: string;
}

/** A tag with the number of published events that carry it. */
export interface TagWithCountRow extends TagRow {
  event_count: number;
}

const MAX_SLUG = 80;

/**
 * The slug a tag name is known by: lower case, accents dropped, anything else between letters
 * and digits collapsed to one dash ("Jazz & Blues" -> "jazz-blues"). Empty when nothing is left.
 */
export function tagSlug(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, MAX_SLUG)
    .replace(/^-+|-+$/g, '');
}

/**
 * The tags with these names, created when missing, in the order given, one per slug (the first
 * spelling of a new tag names it; an existing tag keeps its name). Two statements on purpose: the
 * select runs after the insert has waited out any concurrent insert of the same slug, so it sees
 * that row too. A name with no letter or digit is refused with 400.
 */
export async function ensureTags(tx: Db, names: readonly string[]): Promise<TagRow[]> {
  const bySlug = new Map<string, string>();
  for (const raw of names) {
    const name = raw.trim().slice(0, 80);
    const slug = tagSlug(name);
    if (!slug) {
      throw new AppError('validation_failed', `The tag "${raw.slice(0, 80)}" has no letter or digit.`, {
        extensions: { errors: [{ in: 'json', path: 'tags', message: 'A tag needs at least one letter or digit' }] },
      });
    }
    if (!bySlug.has(slug)) bySlug.set(slug, name);
  }
  if (bySlug.size === 0) return [];
  const slugs = [...bySlug.keys()];
  await tx.query(
    `insert into tags (slug, name) select * from unnest($1::text[], $2::text[])
     on conflict (slug) do nothing`,
    [slugs, [...bySlug.values()]],
  );
  const rows = await tx.query<TagRow>('select id, slug, name from tags where slug = any($1::text[])', [slugs]);
  const found = new Map(rows.map((row) => [row.slug, row]));
  return slugs.map((slug) => found.get(slug)!);
}

/** Tags for the catalogue: by prefix of their slug or name, most used first. */
export const tagsRepo = {
  async search(db: Db, options: { prefix: string | null; limit: number }): Promise<TagWithCountRow[]> {
    const prefix = options.prefix ? options.prefix.replace(/[\\%_]/g, (char) => `\\${char}`) : null;
    return db.query<TagWithCountRow>(
      `select t.id, t.slug, t.name, count(e.id)::int as event_count
         from tags t
         left join event_tags et on et.tag_id = t.id
         left join events e on e.id = et.event_id and e.status = 'published' and e.visibility = 'public'
        where $1::text is null or ($2 <> '' and t.slug like $2 || '%') or t.name ilike $1 || '%'
        group by t.id
        order by count(e.id) desc, t.slug
        limit $3`,
      [prefix, prefix === null ? null : tagSlug(options.prefix ?? ''), options.limit],
    );
  },
};
