/**
 * Every expiry the ports take is a positive, finite number of milliseconds, refused otherwise at
 * the interface: Redis reads PX 0 as an error and a memory map would read it as "expired now" or
 * "forever", and a caller's bug must not turn into either.
 */
export function requireTtl(ttlMs: number, what: string): number {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new RangeError(`${what}: a time to live must be a positive number of milliseconds, not ${ttlMs}`);
  return Math.ceil(ttlMs);
}
