import { exports } from 'cloudflare:workers';
import { expect } from 'vitest';
import type { Problem } from '../../shared/http/problem.ts';

export const ORIGIN = 'https://api.flow.test';

/** Sends a request through the real Worker entry point (full middleware chain). */
export function call(path: string, init: RequestInit = {}): Promise<Response> {
  return exports.default.fetch(new Request(new URL(path, ORIGIN), init));
}

/** Sends a JSON body. */
export function callJson(path: string, method: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return call(path, { method, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

export type ProblemBody = Problem;

/** Asserts an RFC 9457 problem response with this status and returns its body. */
export async function expectProblem(response: Response, status: number): Promise<ProblemBody> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  const body = (await response.json()) as ProblemBody;
  expect(body).toMatchObject({ status, type: expect.stringMatching(/^https:\/\//), title: expect.any(String), instance: expect.stringMatching(/^urn:flow:request:/) });
  expect(JSON.stringify(body)).not.toMatch(/\bat .+\.(ts|js):\d+/); // never a stack trace
  return body;
}
