import type { Postgres, PostgresTransaction } from '../../../shared/stores/index.ts';

type Db = Pick<Postgres, 'query'> | PostgresTransaction;

/** A category; parent_id makes it a subcategory. */
export interface CategoryRow {
  id: string;
  parent_id: string | null;
  slug: string;
  name: string;
  description: string | null;
  icon: string | null;
  sort_order: number;
}

/** Column values a create or update writes; undefined leaves a column as it is. */
export interface CategoryColumns {
  parent_id?: string | null;
  slug?: string;
  name?: string;
  description?: string | null;
  icon?: string | null;
  sort_order?: number;
}

const CATEGORY_COLUMNS = 'id, parent_id, slug, name, description, icon, sort_order';

function assignments(columns: CategoryColumns, params: unknown[]): [string, string][] {
  return Object.entries(columns)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => [name, `$${params.push(value)}`]);
}

/**
 * Categories in Postgres. The database keeps the tree sound: a trigger refuses a parent that
 * would make a cycle, and the parent must exist (foreign key).
 */
export const categoriesRepo = {
  /** Every category, siblings in display order. */
  async all(db: Db): Promise<CategoryRow[]> {
    return db.query<CategoryRow>(`select ${CATEGORY_COLUMNS} from categories order by sort_order, name, id`);
  },

  async insert(db: Db, columns: CategoryColumns): Promise<CategoryRow> {
    const params: unknown[] = [];
    const pairs = assignments(columns, params);
    const [row] = await db.query<CategoryRow>(
      `insert into categories (${pairs.map(([name]) => name).join(', ')}) values (${pairs.map(([, value]) => value).join(', ')})
       returning ${CATEGORY_COLUMNS}`,
      params,
    );
    return row!;
  },

  /** Applies the changes in one statement; null when the category does not exist. */
  async update(db: Db, id: string, columns: CategoryColumns): Promise<CategoryRow | null> {
    const params: unknown[] = [id];
    const pairs = assignments(columns, params);
    const rows = await db.query<CategoryRow>(
      `update categories set ${pairs.map(([name, value]) => `${name} = ${value}`).join(', ')} where id = $1 returning ${CATEGORY_COLUMNS}`,
      params,
    );
    return rows[0] ?? null;
  },
};
