import { isoNow } from './clock.ts';

const levels = { debug: 10, info: 20, warn: 30, error: 40 } as const;
export type LogLevel = keyof typeof levels;

type Fields = Record<string, unknown>;

/** Reads a log level from configuration text, defaulting to info. */
export function parseLogLevel(value: unknown): LogLevel {
  return typeof value === 'string' && value in levels ? (value as LogLevel) : 'info';
}

/** Structured logger: one JSON object per line, always carrying its context (e.g. the correlation id). */
export class Logger {
  readonly #minLevel: LogLevel;
  readonly #context: Fields;

  constructor(minLevel: LogLevel, context: Fields) {
    this.#minLevel = minLevel;
    this.#context = context;
  }

  debug(message: string, fields?: Fields): void {
    this.#write('debug', message, fields);
  }

  info(message: string, fields?: Fields): void {
    this.#write('info', message, fields);
  }

  warn(message: string, fields?: Fields): void {
    this.#write('warn', message, fields);
  }

  error(message: string, fields?: Fields): void {
    this.#write('error', message, fields);
  }

  /** Whether lines of this level are written (to skip building fields nobody will see). */
  enabled(level: LogLevel): boolean {
    return levels[level] >= levels[this.#minLevel];
  }

  /** A logger whose lines also carry `fields`. */
  with(fields: Fields): Logger {
    return new Logger(this.#minLevel, { ...this.#context, ...fields });
  }

  #write(level: LogLevel, message: string, fields: Fields | undefined): void {
    if (levels[level] < levels[this.#minLevel]) return;
    const line = JSON.stringify({ time: isoNow(), level, message, ...this.#context, ...fields });
    if (level === 'error') console.error(line);
    else if (level === 'warn') console.warn(line);
    else console.log(line);
  }
}

/** Describes an unknown thrown value for logs without assuming its shape. */
export function describeError(error: unknown): Fields {
  if (error instanceof Error) {
    const described: Fields = { errorName: error.name, errorMessage: error.message, errorStack: error.stack?.split('\n').slice(0, 6).join('\n') };
    // A store outage wraps the driver's error: its name and message say what actually failed.
    if (error.cause instanceof Error) described.cause = `${error.cause.name}: ${error.cause.message}`.slice(0, 500);
    return described;
  }
  return { errorValue: String(error) };
}
