// Fake third-party APIs for tests: one small HTTP server on 127.0.0.1 (free port) that answers
// like the real providers, records every request it gets per provider, and can be told to fail
// or stall the next request. Started by stack-process.ts, reachable by the Worker under test as
// env.FAKE_PROVIDERS_URL.
//
// Providers:
//   sendgrid  POST /v3/mail/send  202 (empty body, X-Message-Id) when the Bearer key is
//             FAKE_SENDGRID_API_KEY and the body has personalizations[].to[].email, from.email,
//             subject and content[{type, value}]; 401 for a missing or wrong key; 400 for a
//             malformed body. Errors in SendGrid's shape: { errors: [{ message, field, help }] }.
//   openmeteo GET /v1/forecast  Open-Meteo's daily forecast: latitude, longitude, daily=<known
//             variables>, timezone, start_date, end_date (YYYY-MM-DD, at most 16 days ahead);
//             answers FAKE_OPEN_METEO_DAY's values for every day asked. Errors in Open-Meteo's
//             shape: 400 { error: true, reason }.
// Control (never recorded):
//   GET  /_fake/requests?provider=sendgrid   what the provider received, oldest first
//   DELETE /_fake/requests[?provider=...]    forget recorded requests
//   POST /_fake/fail-next?provider=&status=&match=&count=
//        the next `count` (default 1) provider requests answer `status` (default 503); with
//        `match`, only requests whose raw body or query string contains it (e.g. a test's
//        unique recipient, or a forecast's latitude)
//   POST /_fake/delay-next?provider=&ms=&match=
//        the next matching request is answered only after `ms` (at most 30 s), to test timeouts
//   POST /_fake/reset                        forget requests and pending faults
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The API key the fake SendGrid accepts (tests pass it to the adapter). */
export const FAKE_SENDGRID_API_KEY = 'SG.flow-tests.fake-sendgrid-key';

const MAX_BODY_BYTES = 1024 * 1024;
const MAX_RECORDED = 1_000;
const MAX_DELAY_MS = 30_000;
/** Whole-request and header deadlines: a stuck client never holds the server. */
const REQUEST_TIMEOUT_MS = 10_000;

export type ProviderName = 'sendgrid' | 'openmeteo';

export interface RecordedRequest {
  provider: ProviderName;
  method: string;
  path: string;
  /** The query string as sent, with its leading '?', or ''. */
  query: string;
  /** Lower-case names; multi-valued headers joined with ", ". */
  headers: Record<string, string>;
  /** Raw body text. */
  body: string;
  /** The body parsed as JSON, when it is JSON. */
  json?: unknown;
  /** What the fake answered. */
  status: number;
  receivedAt: string;
}

interface Fault {
  provider: ProviderName | undefined;
  match: string | undefined;
  status?: number;
  delayMs?: number;
  remaining: number;
}

interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

interface Provider {
  method: string;
  path: string;
  handle(request: { headers: Record<string, string>; body: string; json: unknown; query: URLSearchParams }): Answer;
}

const sendGridError = (status: number, message: string, field: string | null = null): Answer => ({
  status,
  body: { errors: [{ message, field, help: null }] },
});

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const nonEmptyString = (value: unknown): value is string => typeof value === 'string' && value.trim().length > 0;

/** The first problem SendGrid's v3 Mail Send would report for `body`, or null. */
function sendGridBodyProblem(body: unknown): { message: string; field: string } | null {
  if (!isObject(body)) return { message: 'Bad Request', field: '' };
  const personalizations = body.personalizations;
  if (!Array.isArray(personalizations) || personalizations.length === 0) {
    return { message: 'The personalizations field is required and must have at least one personalization.', field: 'personalizations' };
  }
  for (const [i, personalization] of personalizations.entries()) {
    const to = isObject(personalization) ? personalization.to : undefined;
    if (!Array.isArray(to) || to.length === 0) {
      return { message: 'The to array is required for all personalization objects, and must have at least one email object with a valid email address.', field: `personalizations.${i}.to` };
    }
    for (const [j, recipient] of to.entries()) {
      if (!isObject(recipient) || !nonEmptyString(recipient.email) || !recipient.email.includes('@')) {
        return { message: 'Does not contain a valid address.', field: `personalizations.${i}.to.${j}.email` };
      }
    }
  }
  if (!isObject(body.from) || !nonEmptyString(body.from.email) || !body.from.email.includes('@')) {
    return { message: 'The from object must be provided for every email send. It is an object that requires the email parameter, but may also contain a name parameter.', field: 'from.email' };
  }
  if (body.from.name !== undefined && typeof body.from.name !== 'string') return { message: 'The from name must be a string.', field: 'from.name' };
  if (!nonEmptyString(body.subject)) return { message: 'The subject is required.', field: 'subject' };
  const content = body.content;
  if (!Array.isArray(content) || content.length === 0) {
    return { message: 'Unless a valid template_id is provided, the content parameter is required.', field: 'content' };
  }
  for (const [i, part] of content.entries()) {
    if (!isObject(part) || !nonEmptyString(part.type) || typeof part.value !== 'string' || part.value.length === 0) {
      return { message: 'The content value must be a string at least one character in length.', field: `content.${i}` };
    }
  }
  if (body.categories !== undefined && (!Array.isArray(body.categories) || !body.categories.every((c) => typeof c === 'string'))) {
    return { message: 'The categories parameter must be an array of strings.', field: 'categories' };
  }
  return null;
}

function sendGrid(apiKey: string): Provider {
  return {
    method: 'POST',
    path: '/v3/mail/send',
    handle({ headers, json }) {
      const authorization = headers.authorization ?? '';
      if (!authorization.startsWith('Bearer ')) return sendGridError(401, 'Permission denied, wrong credentials');
      if (authorization.slice('Bearer '.length) !== apiKey) return sendGridError(401, 'The provided authorization grant is invalid, expired, or revoked');
      if (!(headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) return sendGridError(415, 'Content-Type should be application/json.');
      const problem = sendGridBodyProblem(json);
      if (problem) return sendGridError(400, problem.message, problem.field);
      return { status: 202, headers: { 'x-message-id': randomUUID().replaceAll('-', '').slice(0, 22) } };
    },
  };
}

/** What the fake Open-Meteo forecasts for any place and day (tests assert these values). */
export const FAKE_OPEN_METEO_DAY = {
  weather_code: 61,
  temperature_2m_max: 21.4,
  temperature_2m_min: 12.1,
  precipitation_probability_max: 40,
  wind_speed_10m_max: 14.8,
} as const;

const OPEN_METEO_FORECAST_DAYS = 16;
const DAY_MS = 86_400_000;
const openMeteoError = (reason: string): Answer => ({ status: 400, body: { error: true, reason } });
const isoDay = /^\d{4}-\d{2}-\d{2}$/;

/** Open-Meteo's /v1/forecast, daily variables only, checked the way the real API checks them. */
function openMeteo(): Provider {
  return {
    method: 'GET',
    path: '/v1/forecast',
    handle({ query }) {
      const latitude = Number(query.get('latitude'));
      const longitude = Number(query.get('longitude'));
      if (!query.has('latitude') || !(Math.abs(latitude) <= 90)) return openMeteoError('Latitude must be in range of -90 to 90°.');
      if (!query.has('longitude') || !(Math.abs(longitude) <= 180)) return openMeteoError('Longitude must be in range of -180 to 180°.');
      const daily = (query.get('daily') ?? '').split(',').filter(Boolean);
      const unknown = daily.find((name) => !(name in FAKE_OPEN_METEO_DAY));
      if (unknown !== undefined) return openMeteoError(`Cannot initialize WeatherVariable from invalid String value ${unknown}.`);
      if (daily.length > 0 && !query.get('timezone')) return openMeteoError('Timezone is required when requesting daily data.');
      const start = query.get('start_date') ?? '';
      const end = query.get('end_date') ?? '';
      if (!isoDay.test(start) || !isoDay.test(end) || end < start) return openMeteoError('Parameter start_date and end_date must be dates (yyyy-mm-dd) with end_date on or after start_date.');
      const today = Date.parse(new Date().toISOString().slice(0, 10));
      const last = new Date(today + (OPEN_METEO_FORECAST_DAYS - 1) * DAY_MS).toISOString().slice(0, 10);
      if (end > last) return openMeteoError(`Parameter 'end_date' is out of allowed range from ${new Date(today - 92 * DAY_MS).toISOString().slice(0, 10)} to ${last}`);
      const days: string[] = [];
      for (let day = Date.parse(start); day <= Date.parse(end); day += DAY_MS) days.push(new Date(day).toISOString().slice(0, 10));
      const units: Record<string, string> = { weather_code: 'wmo code', temperature_2m_max: '°C', temperature_2m_min: '°C', precipitation_probability_max: '%', wind_speed_10m_max: 'km/h' };
      return {
        status: 200,
        body: {
          latitude, longitude, generationtime_ms: 0.1, utc_offset_seconds: 0, timezone: query.get('timezone'), timezone_abbreviation: 'GMT', elevation: 12,
          daily_units: { time: 'iso8601', ...Object.fromEntries(daily.map((name) => [name, units[name]])) },
          daily: { time: days, ...Object.fromEntries(daily.map((name) => [name, days.map(() => FAKE_OPEN_METEO_DAY[name as keyof typeof FAKE_OPEN_METEO_DAY])])) },
        },
      };
    },
  };
}

export interface FakeProviders {
  /** http://127.0.0.1:PORT */
  url: string;
  /** What a provider received so far (for tests in Node). */
  requests(provider: ProviderName): RecordedRequest[];
  close(): Promise<void>;
}

export interface FakeProvidersOptions {
  sendgridApiKey?: string;
}

/** Starts the fake providers on a free 127.0.0.1 port. */
export async function startFakeProviders(options: FakeProvidersOptions = {}): Promise<FakeProviders> {
  const providers: Record<ProviderName, Provider> = { sendgrid: sendGrid(options.sendgridApiKey ?? FAKE_SENDGRID_API_KEY), openmeteo: openMeteo() };
  const recorded: Record<ProviderName, RecordedRequest[]> = { sendgrid: [], openmeteo: [] };
  let faults: Fault[] = [];
  const delayed = new Set<NodeJS.Timeout>();

  const providerNamed = (name: string | null): ProviderName | undefined | null => {
    if (name === null || name === '') return undefined;
    return name in providers ? (name as ProviderName) : null;
  };

  const send = (response: ServerResponse, answer: Answer) => {
    if (response.writableEnded || response.destroyed) return;
    const headers: Record<string, string> = { ...answer.headers };
    let payload = '';
    if (answer.body !== undefined) {
      payload = JSON.stringify(answer.body);
      headers['content-type'] = 'application/json';
    }
    headers['content-length'] = String(Buffer.byteLength(payload));
    response.writeHead(answer.status, headers);
    response.end(payload);
  };

  /** Takes the first pending fault that applies to this request (a fault with a status wins over a delay). */
  const takeFault = (provider: ProviderName, searchable: string): { status?: number; delayMs?: number } => {
    const taken: { status?: number; delayMs?: number } = {};
    for (const fault of faults) {
      if (fault.remaining <= 0) continue;
      if (fault.provider !== undefined && fault.provider !== provider) continue;
      if (fault.match !== undefined && !searchable.includes(fault.match)) continue;
      if (fault.status !== undefined && taken.status === undefined) {
        taken.status = fault.status;
        fault.remaining--;
      } else if (fault.delayMs !== undefined && taken.delayMs === undefined) {
        taken.delayMs = fault.delayMs;
        fault.remaining--;
      }
    }
    faults = faults.filter((fault) => fault.remaining > 0);
    return taken;
  };

  const control = (request: IncomingMessage, url: URL): Answer => {
    const provider = providerNamed(url.searchParams.get('provider'));
    if (provider === null) return { status: 400, body: { error: `unknown provider; known: ${Object.keys(providers).join(', ')}` } };
    const match = url.searchParams.get('match') ?? undefined;
    const route = `${request.method} ${url.pathname}`;
    switch (route) {
      case 'GET /_fake/requests':
        if (provider === undefined) return { status: 400, body: { error: 'say which provider: ?provider=sendgrid' } };
        return { status: 200, body: recorded[provider] };
      case 'DELETE /_fake/requests':
        for (const name of Object.keys(recorded) as ProviderName[]) if (provider === undefined || provider === name) recorded[name] = [];
        return { status: 204 };
      case 'POST /_fake/fail-next': {
        const status = Number(url.searchParams.get('status') ?? 503);
        const count = Number(url.searchParams.get('count') ?? 1);
        if (!Number.isInteger(status) || status < 400 || status > 599) return { status: 400, body: { error: 'status must be 400-599' } };
        if (!Number.isInteger(count) || count < 1) return { status: 400, body: { error: 'count must be a positive integer' } };
        faults.push({ provider, match, status, remaining: count });
        return { status: 204 };
      }
      case 'POST /_fake/delay-next': {
        const ms = Number(url.searchParams.get('ms') ?? 0);
        if (!Number.isInteger(ms) || ms < 1 || ms > MAX_DELAY_MS) return { status: 400, body: { error: `ms must be 1-${MAX_DELAY_MS}` } };
        faults.push({ provider, match, delayMs: ms, remaining: 1 });
        return { status: 204 };
      }
      case 'POST /_fake/reset':
        faults = [];
        for (const name of Object.keys(recorded) as ProviderName[]) recorded[name] = [];
        return { status: 204 };
      default:
        return { status: 404, body: { error: `no control route ${route}` } };
    }
  };

  const server = createServer({ requestTimeout: REQUEST_TIMEOUT_MS, headersTimeout: REQUEST_TIMEOUT_MS }, (request, response) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    request.on('error', () => response.destroy());
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://fake');
      if (tooLarge) return send(response, { status: 413, body: { error: `body over ${MAX_BODY_BYTES} bytes` } });
      if (url.pathname.startsWith('/_fake/')) return send(response, control(request, url));

      const entry = (Object.entries(providers) as [ProviderName, Provider][]).find(([, p]) => p.path === url.pathname);
      if (!entry) return send(response, { status: 404, body: { errors: [{ message: 'not found', field: null, help: null }] } });
      const [name, provider] = entry;
      if (request.method !== provider.method) return send(response, { status: 405, headers: { allow: provider.method }, body: { errors: [{ message: 'method not allowed', field: null, help: null }] } });

      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = body ? JSON.parse(body) : undefined;
      } catch {
        json = undefined;
      }
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(request.headers)) {
        if (value !== undefined) headers[key] = Array.isArray(value) ? value.join(', ') : value;
      }
      const fault = takeFault(name, body + url.search);
      const answer: Answer = fault.status !== undefined
        ? { status: fault.status, body: { errors: [{ message: `fake ${name}: failing on request (status ${fault.status})`, field: null, help: null }] } }
        : provider.handle({ headers, body, json, query: url.searchParams });
      const list = recorded[name];
      list.push({ provider: name, method: request.method ?? '', path: url.pathname, query: url.search, headers, body, ...(json !== undefined ? { json } : {}), status: answer.status, receivedAt: new Date().toISOString() });
      if (list.length > MAX_RECORDED) list.splice(0, list.length - MAX_RECORDED);

      if (fault.delayMs === undefined) return send(response, answer);
      const timer = setTimeout(() => {
        delayed.delete(timer);
        send(response, answer);
      }, fault.delayMs);
      delayed.add(timer);
      response.on('close', () => {
        clearTimeout(timer);
        delayed.delete(timer);
      });
    });
  });
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests: (provider) => [...recorded[provider]],
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of delayed) clearTimeout(timer);
        delayed.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
