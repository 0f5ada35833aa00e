import { z } from '@hono/zod-openapi';

/** Problem document schema for OpenAPI responses. */
export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string(),
    code: z.string(),
  })
  .catchall(z.unknown())
  .openapi('Problem');

/** For createRoute: a JSON body or response of this schema. */
export const jsonContent = <T>(schema: T) => ({ content: { 'application/json': { schema } } });

/** For createRoute: a required JSON request body of this schema. */
export const jsonBody = <T>(schema: T) => ({ ...jsonContent(schema), required: true });

/** Standard error responses to spread into a route's `responses`. */
export const problemResponses = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((status) => [status, { description: 'Problem', content: { 'application/problem+json': { schema: problemSchema } } }]),
  );
