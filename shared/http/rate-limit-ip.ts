import type { Context } from 'hono';
import type { AppEnv } from './app-env.ts';

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
// Only these characters may reach the URL parser, so a value cannot smuggle in a path or a zone id.
const IPV6_CHARACTERS = /^[0-9A-Fa-f:.]{2,45}$/;

// The URL parser knows every IPv6 spelling and gives back the canonical (compressed, lower-case)
// one, so "::1" and "0:0:0:0:0:0:0:1" count as one client.
function canonicalIpv6(value: string): string | null {
  if (!IPV6_CHARACTERS.test(value) || !value.includes(':')) return null;
  try {
    return new URL(`http://[${value}]/`).hostname.slice(1, -1);
  } catch {
    return null;
  }
}

/**
 * The caller's address, only from `CF-Connecting-IP`: Cloudflare's edge sets it and overwrites
 * whatever the client sent, whereas X-Forwarded-For, X-Real-IP and the like are the client's
 * own words. Null when the header is absent or not an IPv4 or IPv6 address; IPv6 is canonical.
 */
export function clientIp(request: Request): string | null {
  const value = request.headers.get('cf-connecting-ip')?.trim();
  if (!value) return null;
  if (IPV4.test(value)) return value;
  return canonicalIpv6(value);
}

/**
 * The bucket an address is counted in: IPv4 as is, IPv6 by its /64 network. One subscriber is
 * usually given a whole /64, so counting single IPv6 addresses would hand everyone 2^64 buckets.
 * IPv4-mapped IPv6 addresses stay whole: they are one IPv4 client each.
 */
export function ipRateLimitKey(ip: string): string {
  if (!ip.includes(':') || ip.startsWith('::ffff:')) return ip;
  const [head = '', tail] = ip.split('::');
  const front = head === '' ? [] : head.split(':');
  const back = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = [...front, ...Array<string>(Math.max(0, 8 - front.length - back.length)).fill('0'), ...back];
  return `${groups.slice(0, 4).join(':')}::/64`;
}

/** Rate-limit key for "per client IP" rules; null (no limit) when the request has no usable address. */
export function byClientIp(c: Context<AppEnv>): string | null {
  const ip = clientIp(c.req.raw);
  return ip === null ? null : ipRateLimitKey(ip);
}
