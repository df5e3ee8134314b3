import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type Koa from 'koa';
import { signLink, checkLink, type LinkCheck } from './dashboard-link';

/**
 * Sign-in to the dashboard by WeCom identity (网页授权, snsapi_base). Opening /dashboard in WeCom's
 * browser without a session sends the browser to WeCom's authorize page, which comes back to
 * /dashboard/auth/callback with a single-use code; the code is exchanged for the UserID
 * (auth/getuserinfo), the roster decides what that person may see, and a session cookie is set.
 *
 * No session is stored on the server: the cookie is the dashboard link's own signed token (the
 * member and an expiry, HMAC-SHA256), so any instance accepts it, and the roster is read on every
 * request, so a member removed from the roster is refused at once, as with links. It is HttpOnly,
 * and SameSite=Lax, not Strict: the way back from the authorize page is a navigation from
 * open.weixin.qq.com, another site, and a Strict cookie would be withheld from it (a loop).
 *
 * Login CSRF: the `state` sent to WeCom is a random nonce that must match the one in a short-lived
 * cookie set on this browser when the sign-in began, so a code and state made for another browser
 * (a link planted by someone else) sign nobody in here.
 */
export const SESSION_COOKIE = 'yb_session';
const SIGNIN_COOKIE = 'yb_signin';
/** How long a session lasts (a working day); a new one is made by opening the dashboard again. */
export const SESSION_HOURS = 8;
/** A sign-in must come back within this (WeCom's codes last 5 minutes). */
const SIGNIN_MS = 10 * 60_000;

const mac = (secret: string, payload: string) => createHmac('sha256', secret).update(`signin.${payload}`).digest();

/** Cookie options for this deployment: Secure when it is served over HTTPS. */
function cookieOptions(secure: boolean, maxAgeMs: number): { httpOnly: true; sameSite: 'lax'; secure: boolean; path: string; maxAge: number; overwrite: true } {
  return { httpOnly: true, sameSite: 'lax', secure, path: '/dashboard', maxAge: maxAgeMs, overwrite: true };
}

/**
 * PUBLIC_BASE_URL says the browser is on HTTPS even where TLS ends at a load balancer that sends no
 * X-Forwarded-Proto: the cookie is marked Secure all the same (Koa would otherwise refuse to set it).
 */
function allowSecure(ctx: Koa.Context, secure: boolean): void {
  if (secure) (ctx.cookies as unknown as { secure: boolean }).secure = true;
}

/** The session a request carries, checked like a link. */
export function sessionOf(ctx: Koa.Context, secret: string, now: Date): LinkCheck {
  return checkLink(secret, ctx.cookies.get(SESSION_COOKIE) ?? undefined, now);
}

export function setSession(ctx: Koa.Context, secret: string, userId: string, now: Date, secure: boolean): void {
  const expiresAt = now.getTime() + SESSION_HOURS * 3_600_000;
  allowSecure(ctx, secure);
  ctx.cookies.set(SESSION_COOKIE, signLink(secret, { userId, expiresAt }), cookieOptions(secure, SESSION_HOURS * 3_600_000));
}

/**
 * Begins a sign-in: a nonce for `state`, kept (with where to return) in a signed cookie of this
 * browser; resolves with the authorize URL to send the browser to.
 */
export function beginSignIn(ctx: Koa.Context, o: { secret: string; oauthBase: string; corpId: string; agentId: number; publicBaseUrl: string; returnTo: string; now: Date }): string {
  const nonce = randomBytes(16).toString('base64url');
  const payload = Buffer.from(JSON.stringify({ n: nonce, r: o.returnTo, e: o.now.getTime() + SIGNIN_MS })).toString('base64url');
  allowSecure(ctx, o.publicBaseUrl.startsWith('https:'));
  ctx.cookies.set(SIGNIN_COOKIE, `${payload}.${mac(o.secret, payload).toString('base64url')}`, cookieOptions(o.publicBaseUrl.startsWith('https:'), SIGNIN_MS));
  const redirect = `${o.publicBaseUrl}/dashboard/auth/callback`;
  const q = new URLSearchParams({ appid: o.corpId, redirect_uri: redirect, response_type: 'code', scope: 'snsapi_base', state: nonce, agentid: String(o.agentId) });
  return `${o.oauthBase}/connect/oauth2/authorize?${q.toString()}#wechat_redirect`;
}

/** The sign-in this browser began, if `state` is its nonce and it is still fresh: where to return. */
export function endSignIn(ctx: Koa.Context, secret: string, state: string, now: Date): { returnTo: string } | null {
  const raw = ctx.cookies.get(SIGNIN_COOKIE) ?? '';
  ctx.cookies.set(SIGNIN_COOKIE, null, { path: '/dashboard' });
  const [payload, signature] = raw.split('.');
  if (!payload || !signature) return null;
  const expected = mac(secret, payload);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { n?: unknown; r?: unknown; e?: unknown };
    if (typeof body.n !== 'string' || typeof body.r !== 'string' || typeof body.e !== 'number') return null;
    const a = Buffer.from(body.n);
    const b = Buffer.from(state);
    if (a.length !== b.length || !timingSafeEqual(a, b) || now.getTime() > body.e) return null;
    // Only a path of the dashboard itself: the sign-in never sends the browser elsewhere.
    return { returnTo: /^\/dashboard(\/school\/[^/?#]+)?$/u.test(body.r) ? body.r : '/dashboard' };
  } catch {
    return null;
  }
}
