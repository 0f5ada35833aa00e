const levels = { debug: 10, info: 20, warn: 30, error: 40 } as const;
export type LogLevel = keyof typeof levels;

/** Structured logger: one JSON object per line, always carrying the correlation id. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  with(fields: Record<string, unknown>): Logger;
}

/** Reads a log level from configuration text, defaulting to info. */
export function parseLogLevel(value: unknown): LogLevel {
  return typeof value === 'string' && value in levels ? (value as LogLevel) : 'info';
}

/** Creates a logger that drops lines below `minLevel` and merges `context` into every line. */
export function createLogger(minLevel: LogLevel, context: Record<string, unknown>): Logger {
  const write = (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (levels[level] < levels[minLevel]) return;
    const line = JSON.stringify({ time: new Date().toISOString(), level, message, ...context, ...fields });
    if (level === 'error') console.error(line);
    else if (level === 'warn') console.warn(line);
    else console.log(line);
  };
  return {
    debug: (message, fields) => write('debug', message, fields),
    info: (message, fields) => write('info', message, fields),
    warn: (message, fields) => write('warn', message, fields),
    error: (message, fields) => write('error', message, fields),
    with: (fields) => createLogger(minLevel, { ...context, ...fields }),
  };
}

/** Describes an unknown thrown value for logs without assuming its shape. */
export function describeError(error: unknown): Record<string, unknown> {
  if (error instanceof Error) {
    return { errorName: error.name, errorMessage: error.message, errorStack: error.stack?.split('\n').slice(0, 6).join('\n') };
  }
  return { errorValue: String(error) };
}
