import { AppError } from '../../../shared/errors.ts';
import type { Postgres } from '../../../shared/stores/index.ts';
import { categoriesRepo, type CategoryColumns, type CategoryRow } from '../repo/categories.ts';
import { tagsRepo } from '../repo/tags.ts';
import type { CategoryNode, CreateCategoryInput, UpdateCategoryInput } from '../venue-schemas.ts';

const node = (row: CategoryRow): CategoryNode => ({
  id: row.id,
  parentId: row.parent_id,
  slug: row.slug,
  name: row.name,
  description: row.description,
  icon: row.icon,
  sortOrder: row.sort_order,
  subcategories: [],
});

/** Every category as a tree: top-level categories with their subcategories, in display order. */
export async function categoryTree(postgres: Postgres): Promise<CategoryNode[]> {
  const rows = await categoriesRepo.all(postgres);
  const nodes = new Map(rows.map((row) => [row.id, node(row)]));
  const roots: CategoryNode[] = [];
  // Rows come in display order, so appending keeps every sibling list ordered.
  for (const row of rows) {
    const parent = row.parent_id === null ? undefined : nodes.get(row.parent_id);
    (parent ? parent.subcategories : roots).push(nodes.get(row.id)!);
  }
  return roots;
}

const columnsOf = (input: UpdateCategoryInput): CategoryColumns => ({
  parent_id: input.parentId,
  slug: input.slug,
  name: input.name,
  description: input.description,
  icon: input.icon,
  sort_order: input.sortOrder,
});

// The database is the judge of the tree (cycle trigger, own-parent check, foreign key, unique
// slug); its refusals become problems the client can act on.
async function asCatalogProblem<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === '23505') throw new AppError('conflict', 'A category with that slug exists.');
    if (code === '23514') throw new AppError('conflict', 'A category cannot be placed under itself or one of its own subcategories.');
    if (code === '23503') throw new AppError('unprocessable', 'The parent category does not exist.');
    throw error;
  }
}

export async function createCategory(postgres: Postgres, input: CreateCategoryInput): Promise<CategoryNode> {
  return node(await asCatalogProblem(() => categoriesRepo.insert(postgres, columnsOf(input))));
}

export async function updateCategory(postgres: Postgres, id: string, input: UpdateCategoryInput): Promise<CategoryNode> {
  const row = await asCatalogProblem(() => categoriesRepo.update(postgres, id, columnsOf(input)));
  if (!row) throw new AppError('not_found', 'No such category.');
  return node(row);
}

/** Tags by prefix (or all), most used first. */
export async function listTags(postgres: Postgres, query: { q?: string; limit: number }) {
  const rows = await tagsRepo.search(postgres, { prefix: query.q ?? null, limit: query.limit });
  return { items: rows.map((row) => ({ id: row.id, slug: row.slug, name: row.name, eventCount: row.event_count })) };
}
