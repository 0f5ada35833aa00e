/** Every failure the API reports has one of these codes; each maps to one HTTP status and title. */
export const errorCatalog = {
  bad_request: { status: 400, title: 'Bad request' },
  validation_failed: { status: 400, title: 'Validation failed' },
  unauthorized: { status: 401, title: 'Authentication required' },
  forbidden: { status: 403, title: 'Forbidden' },
  not_found: { status: 404, title: 'Not found' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  conflict: { status: 409, title: 'Conflict' },
  gone: { status: 410, title: 'Gone' },
  precondition_failed: { status: 412, title: 'Precondition failed' },
  payload_too_large: { status: 413, title: 'Payload too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported media type' },
  unprocessable: { status: 422, title: 'Unprocessable content' },
  locked: { status: 423, title: 'Locked' },
  upgrade_required: { status: 426, title: 'Upgrade required' },
  rate_limited: { status: 429, title: 'Too many requests' },
  internal: { status: 500, title: 'Internal server error' },
  misconfigured: { status: 500, title: 'Service misconfigured' },
  store_unavailable: { status: 503, title: 'Service temporarily unavailable' },
  timeout: { status: 504, title: 'Request timed out' },
} as const;

export type ErrorCode = keyof typeof errorCatalog;

export interface AppErrorOptions {
  /** Extra members of the problem document (e.g. `errors` for validation, `store` for outages). */
  extensions?: Record<string, unknown>;
  /** Response headers that belong to the error (Allow, Retry-After, ...). */
  headers?: Record<string, string>;
  cause?: unknown;
}

/** The one error type of the application; `onError` renders it as RFC 9457 problem+json. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly extensions: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, detail?: string, options: AppErrorOptions = {}) {
    super(detail ?? errorCatalog[code].title, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.extensions = options.extensions ?? {};
    this.headers = options.headers ?? {};
  }

  get status(): number {
    return errorCatalog[this.code].status;
  }
}

/** Thrown by store clients when a store is down, slow or its circuit is open. */
export class StoreUnavailableError extends AppError {
  readonly store: string;

  constructor(store: string, retryAfterSeconds: number, cause?: unknown) {
    super('store_unavailable', `The ${store} store is unavailable; try again shortly.`, {
      extensions: { store },
      headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
      cause,
    });
    this.store = store;
  }
}
