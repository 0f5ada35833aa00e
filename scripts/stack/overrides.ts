/**
 * True when FLOW_STACK_EMBEDDED (a comma list: `postgres`, `redis`, or `all`) asks for the embedded
 * server even though the system one is installed: to see what a machine without it gets.
 */
export function embeddedForced(name: 'postgres' | 'redis'): boolean {
  const wanted = (process.env.FLOW_STACK_EMBEDDED ?? '').split(',').map((s) => s.trim());
  return wanted.includes(name) || wanted.includes('all');
}
