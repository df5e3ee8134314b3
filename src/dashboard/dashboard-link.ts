import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Dashboard links: `<base>/dashboard?t=<token>`, the token naming one staff member and an expiry,
 * signed with HMAC-SHA256. Nothing is stored: a link is checked by its signature alone, so a
 * member removed from the roster is refused by the roster lookup, not by the link.
 */
export interface LinkClaims {
  userId: string;
  /** Expiry, ms since the epoch. */
  expiresAt: number;
}

export type LinkCheck = { ok: true; claims: LinkClaims } | { ok: false; reason: 'missing' | 'forged' | 'expired'; claims?: LinkClaims };

const b64 = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

function mac(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(`dashboard.${payload}`).digest();
}

export function signLink(secret: string, claims: LinkClaims): string {
  const payload = b64(JSON.stringify({ u: claims.userId, e: Math.floor(claims.expiresAt / 1000) }));
  return `${payload}.${b64(mac(secret, payload))}`;
}

export function checkLink(secret: string, token: string | undefined, now: Date): LinkCheck {
  if (!token) return { ok: false, reason: 'missing' };
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined || token.length > 1024) return { ok: false, reason: 'forged' };
  const expected = mac(secret, payload);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'forged' };
  let claims: LinkClaims;
  try {
    const body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { u?: unknown; e?: unknown };
    if (typeof body.u !== 'string' || typeof body.e !== 'number') return { ok: false, reason: 'forged' };
    claims = { userId: body.u, expiresAt: body.e * 1000 };
  } catch {
    return { ok: false, reason: 'forged' };
  }
  if (now.getTime() >= claims.expiresAt) return { ok: false, reason: 'expired', claims };
  return { ok: true, claims };
}

/** Issues links for staff members: what the bot puts on the card it sends with 进度. */
export class DashboardLinks {
  constructor(
    private readonly options: { baseUrl: () => string | undefined; secret: string; hours: number },
  ) {}

  /** The signed link for a member, valid for the configured hours from `now`; null without a public base URL. */
  linkFor(userId: string, now: Date): { url: string; expiresAt: Date } | null {
    const base = this.options.baseUrl();
    if (!base) return null;
    const expiresAt = new Date(now.getTime() + this.options.hours * 3_600_000);
    return { url: `${base}/dashboard?t=${signLink(this.options.secret, { userId, expiresAt: expiresAt.getTime() })}`, expiresAt };
  }

  check(token: string | undefined, now: Date): LinkCheck {
    return checkLink(this.options.secret, token, now);
  }
}
