import { createHmac, timingSafeEqual } from 'node:crypto';
import { periodLabel, timeLabel, type PeriodCalendar, type Period } from '../calendar/period';
import type { TextCard } from '../conversation/reply';
import type { StaffMember } from '../roster/roster';
import type { Config } from '../config/config';
import { scopeLabel } from './dashboard-view';

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

/** Issues links for staff members: what the cards after 进度 and on the staff digest carry. */
export class DashboardLinks {
  constructor(
    private readonly options: { baseUrl: () => string | undefined; secret: string; hours: number },
  ) {}

  /** The key links and sign-in sessions are signed with. */
  get secret(): string {
    return this.options.secret;
  }

  /** The public base URL, when there is one. */
  baseUrl(): string | undefined {
    return this.options.baseUrl();
  }

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

  /** From configuration: PUBLIC_BASE_URL (unless `baseUrl` says otherwise), the link secret and lifetime. */
  static fromConfig(config: Pick<Config, 'publicBaseUrl' | 'dashboardLinkSecret' | 'dashboardLinkHours'>, baseUrl?: () => string | undefined): DashboardLinks {
    return new DashboardLinks({ baseUrl: baseUrl ?? (() => config.publicBaseUrl), secret: config.dashboardLinkSecret, hours: config.dashboardLinkHours });
  }
}

/** The 「月报看板」 card for a staff member (after 进度, and on the staff digest); null without a public base URL. */
export function dashboardCard(links: DashboardLinks | null | undefined, member: StaffMember, period: Period, now: Date, cal: PeriodCalendar): TextCard | null {
  const link = links?.linkFor(member.userId, now);
  if (!link) return null;
  return {
    title: `月报看板 · ${scopeLabel(member)}`,
    description: `${periodLabel(period)}月报按市县、类别的报送情况，全年目标完成进度，未报学校名单（可直接催报）。\n链接仅供您本人使用，${timeLabel(link.expiresAt, cal)}前有效。`,
    url: link.url,
    buttonText: '打开看板',
  };
}
