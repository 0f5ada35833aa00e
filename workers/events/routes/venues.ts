import { createRoute } from '@hono/zod-openapi';
import { authed, currentUser } from '../../../shared/auth/middleware.ts';
import { createServiceApp } from '../../../shared/http/create-app.ts';
import { jsonBody, jsonContent, problemResponses } from '../../../shared/validation.ts';
import { createVenue, getVenue, listVenues, updateVenue } from '../service/venues.ts';
import { createVenueBody, idParam, listVenuesQuery, updateVenueBody, venuePageSchema, venueSchema } from '../venue-schemas.ts';

const venueResponse = { description: 'The venue', ...jsonContent(venueSchema) };

const routes = {
  list: createRoute({
    method: 'get', path: '/', tags: ['venues'],
    summary: 'Venues by city, country, amenities, capacity, or within a radius of a point (nearest first); cursor-paginated',
    request: { query: listVenuesQuery },
    responses: { 200: { description: 'One page of venues', ...jsonContent(venuePageSchema) }, ...problemResponses(400) },
  }),
  create: createRoute({
    method: 'post', path: '/', tags: ['venues'], ...authed,
    summary: 'Create a venue; the caller owns it',
    request: { body: jsonBody(createVenueBody) },
    responses: { 201: venueResponse, ...problemResponses(400, 401) },
  }),
  get: createRoute({
    method: 'get', path: '/{id}', tags: ['venues'], summary: 'A venue',
    request: { params: idParam },
    responses: { 200: venueResponse, ...problemResponses(400, 404) },
  }),
  update: createRoute({
    method: 'put', path: '/{id}', tags: ['venues'], ...authed,
    summary: 'Change a venue: fields sent are replaced, others kept (its owner, or manage_venues)',
    request: { params: idParam, body: jsonBody(updateVenueBody) },
    responses: { 200: venueResponse, ...problemResponses(400, 401, 403, 404) },
  }),
};

/** Venues: /api/v1/venues. */
export const venueRoutes = createServiceApp()
  .openapi(routes.list, async (c) => c.json(await listVenues(c.get('stores').postgres, c.req.valid('query')), 200))
  .openapi(routes.create, async (c) => c.json(await createVenue(c.get('stores').postgres, currentUser(c), c.req.valid('json')), 201))
  .openapi(routes.get, async (c) => c.json(await getVenue(c.get('stores').postgres, c.req.valid('param').id), 200))
  .openapi(routes.update, async (c) => {
    const venue = await updateVenue(c.get('stores').postgres, currentUser(c), c.req.valid('param').id, c.req.valid('json'));
    return c.json(venue, 200);
  });
