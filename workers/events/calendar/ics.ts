// An RFC 5545 (iCalendar) writer: content lines, TEXT escaping, UTF-8-aware folding, CRLF.

/** RFC 5545 3.1: lines longer than 75 octets (excluding the CRLF) are folded. */
export const MAX_LINE_OCTETS = 75;
const CRLF = '\r\n';

/**
 * A TEXT value (3.3.11): backslash, semicolon and comma are escaped, every line break becomes
 * \n, and other control characters (which TEXT may not hold) are dropped, so user input can
 * never end a property early or start a new one.
 */
export function escapeText(value: string): string {
  return value
    .replace(/[\\;,]/g, (char) => `\\${char}`)
    .replace(/\r\n|\r|\n/g, '\\n')
    .replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, '');
}

/** A parameter value (3.2): quoted when it holds ':', ';' or ','; quotes and controls dropped. */
function paramValue(value: string): string {
  const clean = value.replace(/["\u0000-\u0008\u000a-\u001f\u007f]/g, '');
  return /[:;,]/.test(clean) ? `"${clean}"` : clean;
}

/** One unfolded content line: NAME;PARAM=VALUE:value. `value` must already be encoded for its type. */
export function contentLine(name: string, value: string, params: Record<string, string> = {}): string {
  const rendered = Object.entries(params).map(([key, param]) => `;${key}=${paramValue(param)}`).join('');
  return `${name}${rendered}:${value}`;
}

const utf8Length = (codePoint: number) => (codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4);

/**
 * Folds a content line (3.1): no physical line exceeds 75 octets, continuation lines start with
 * one space (which counts), and a multi-octet UTF-8 character is never split.
 */
export function foldLine(line: string): string {
  const pieces: string[] = [];
  let current = '';
  let octets = 0;
  for (const char of line) {
    const size = utf8Length(char.codePointAt(0)!);
    if (octets + size > MAX_LINE_OCTETS) {
      pieces.push(current);
      current = ' ';
      octets = 1;
    }
    current += char;
    octets += size;
  }
  pieces.push(current);
  return pieces.join(CRLF);
}

/** The iCalendar object: every line folded, each ended by CRLF (the last one too). */
export function serializeIcs(lines: readonly string[]): string {
  return lines.map(foldLine).join(CRLF) + CRLF;
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/** A DATE-TIME in UTC (3.3.5 form 2): 20260621T173000Z. Sub-second parts are dropped. */
export function utcDateTime(instantMs: number): string {
  const d = new Date(instantMs);
  return `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
}

/** A local DATE-TIME (3.3.5 form 1 or 3) from a wall-clock value (local time written as UTC ms). */
export function localDateTime(wallMs: number): string {
  return utcDateTime(wallMs).slice(0, -1);
}
