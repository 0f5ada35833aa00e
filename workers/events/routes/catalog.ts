import { createRoute } from '@hono/zod-openapi';
import { requireAuth, requireRole } from '../../../shared/auth/middleware.ts';
import { createServiceApp } from '../../../shared/http/create-app.ts';
import { jsonBody, jsonContent, problemResponses } from '../../../shared/validation.ts';
import { categoryTree, createCategory, listTags, updateCategory } from '../service/catalog.ts';
import { categorySchema, categoryTreeSchema, createCategoryBody, idParam, listTagsQuery, tagListSchema, updateCategoryBody } from '../venue-schemas.ts';

const adminOnly = { security: [{ bearer: [] }], middleware: [requireAuth, requireRole('admin')] };
const categoryResponse = { description: 'The category (subcategories are listed by GET /categories)', ...jsonContent(categorySchema) };

const routes = {
  categories: createRoute({
    method: 'get', path: '/categories', tags: ['catalog'],
    summary: 'Every category with its subcategories, in display order',
    responses: { 200: { description: 'The category tree', ...jsonContent(categoryTreeSchema) } },
  }),
  createCategory: createRoute({
    method: 'post', path: '/categories', tags: ['catalog'], ...adminOnly,
    summary: 'Create a category, or a subcategory with parentId (admins)',
    request: { body: jsonBody(createCategoryBody) },
    responses: { 201: categoryResponse, ...problemResponses(400, 401, 403, 409, 422) },
  }),
  updateCategory: createRoute({
    method: 'put', path: '/categories/{id}', tags: ['catalog'], ...adminOnly,
    summary: 'Change a category; a parent that would make a cycle is refused with 409 (admins)',
    request: { params: idParam, body: jsonBody(updateCategoryBody) },
    responses: { 200: categoryResponse, ...problemResponses(400, 401, 403, 404, 409, 422) },
  }),
  tags: createRoute({
    method: 'get', path: '/tags', tags: ['catalog'],
    summary: 'Tags, most used first; q filters by prefix. Tags are created when events are tagged',
    request: { query: listTagsQuery },
    responses: { 200: { description: 'Tags', ...jsonContent(tagListSchema) }, ...problemResponses(400) },
  }),
};

/** The catalogue: /api/v1/categories and /api/v1/tags. */
export const catalogRoutes = createServiceApp()
  .openapi(routes.categories, async (c) => c.json({ items: await categoryTree(c.get('stores').postgres) }, 200))
  .openapi(routes.createCategory, async (c) => c.json(await createCategory(c.get('stores').postgres, c.req.valid('json')), 201))
  .openapi(routes.updateCategory, async (c) => {
    const category = await updateCategory(c.get('stores').postgres, c.req.valid('param').id, c.req.valid('json'));
    return c.json(category, 200);
  })
  .openapi(routes.tags, async (c) => c.json(await listTags(c.get('stores').postgres, c.req.valid('query')), 200));
