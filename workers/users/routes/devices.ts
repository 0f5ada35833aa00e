import { createRoute } from '@hono/zod-openapi';
import { authed, currentUser } from '../../../shared/auth/middleware.ts';
import { createServiceApp } from '../../../shared/http/create-app.ts';
import { jsonBody, jsonContent, problemResponses } from '../../../shared/validation.ts';
import { deviceSchema, registerDeviceBody } from '../profile-schemas.ts';
import { idParam } from '../schemas.ts';
import { listDevices, registerDevice, removeDevice } from '../service/devices.ts';

const routes = {
  register: createRoute({
    method: 'post', path: '/me/devices', tags: ['users'], ...authed,
    summary: 'Register a push token for this device (a token registered by another account moves to you)',
    request: { body: jsonBody(registerDeviceBody) },
    responses: {
      201: { description: 'Registered', ...jsonContent(deviceSchema) },
      200: { description: 'Already registered: refreshed', ...jsonContent(deviceSchema) },
      ...problemResponses(400, 401),
    },
  }),
  list: createRoute({
    method: 'get', path: '/me/devices', tags: ['users'], ...authed, summary: 'Your devices with push tokens',
    responses: { 200: { description: 'Devices, most recently seen first', ...jsonContent(deviceSchema.array()) }, ...problemResponses(401) },
  }),
  remove: createRoute({
    method: 'delete', path: '/me/devices/{id}', tags: ['users'], ...authed, summary: 'Remove one of your devices (no more push to it)',
    request: { params: idParam },
    responses: { 204: { description: 'Removed' }, ...problemResponses(400, 401, 404) },
  }),
};

/** Push device tokens of the caller: /api/v1/users/me/devices. */
export const deviceRoutes = createServiceApp()
  .openapi(routes.register, async (c) => {
    const { device, created } = await registerDevice(c.get('stores').postgres, currentUser(c), c.req.valid('json'));
    return created ? c.json(device, 201) : c.json(device, 200);
  })
  .openapi(routes.list, async (c) => c.json(await listDevices(c.get('stores').postgres, currentUser(c)), 200))
  .openapi(routes.remove, async (c) => {
    await removeDevice(c.get('stores').postgres, currentUser(c), c.req.valid('param').id);
    return c.body(null, 204);
  });
