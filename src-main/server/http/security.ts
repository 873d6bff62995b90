// Who may talk to the studio server. Three independent checks on every request and WebSocket:
//  - Host: only names this server answers to, so a DNS-rebinding page (evil.example resolving to 127.0.0.1)
//    is refused even though the browser thinks it is same-origin with itself;
//  - Origin: a browser request that carries one must come from this server's own pages (no other site may post
//    to the API or open the event socket with the photographer's cookie);
//  - token: required when the server is reachable from other machines, or when one was configured.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { hostname, networkInterfaces } from 'node:os';

import type { ApiError } from '../../common/api/errors.js';
import { fail } from './responses.js';

export const TOKEN_COOKIE = 'magicapture_token';

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** host:port forms a browser may send for this server (an IPv6 literal in brackets). */
export function allowedHosts(boundHost: string, port: number): Set<string> {
  const names = new Set<string>(['localhost', '127.0.0.1', '[::1]']);
  const add = (name: string) => names.add(name.includes(':') ? `[${name}]` : name);
  if (!isLoopback(boundHost)) {
    const wildcard = boundHost === '0.0.0.0' || boundHost === '::';
    if (!wildcard) add(boundHost);
    else {
      for (const list of Object.values(networkInterfaces())) for (const info of list ?? []) add(info.address.split('%')[0] as string);
    }
    const machine = hostname().toLowerCase();
    add(machine);
    if (!machine.includes('.')) add(`${machine}.local`);
  }
  const allowed = new Set<string>();
  for (const name of names) {
    allowed.add(`${name}:${port}`);
    if (port === 80) allowed.add(name);
  }
  return allowed;
}

export function checkHost(req: IncomingMessage, allowed: ReadonlySet<string>): ApiError | undefined {
  const host = (req.headers.host ?? '').toLowerCase();
  if (allowed.has(host)) return undefined;
  return fail('forbidden', `expected a request to this studio by one of its addresses (${[...allowed].slice(0, 4).join(', ')}…), received Host ${JSON.stringify(host.slice(0, 80))}`,
    'Open the address the studio printed when it started.');
}

/** Browsers send Origin on every POST and WebSocket; scripts and the CLI send none, and are judged by the token. */
export function checkOrigin(req: IncomingMessage): ApiError | undefined {
  const origin = req.headers.origin;
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    return fail('forbidden', `expected a request from the studio's own pages, received one from another site (${site})`);
  }
  if (origin === undefined) return undefined;
  if (origin === `http://${req.headers.host ?? ''}`) return undefined;
  return fail('forbidden', `expected a request from the studio's own pages, received one from ${JSON.stringify(origin.slice(0, 80))}`);
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

export function sameToken(given: string | undefined, token: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token from `Authorization: Bearer …` or the cookie set by visiting the printed URL. */
export function checkToken(req: IncomingMessage, token: string | null): ApiError | undefined {
  if (token === null) return undefined;
  const header = req.headers.authorization;
  const bearer = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
  if (sameToken(bearer, token) || sameToken(cookie(req, TOKEN_COOKIE), token)) return undefined;
  return fail('unauthorized', header || req.headers.cookie?.includes(TOKEN_COOKIE) ? 'expected the studio\'s access token, received a different one' : 'expected the studio\'s access token, received none',
    'Open the full address the studio printed when it started (it ends with ?token=…), or send "Authorization: Bearer <token>". The token is also in server-token in the studio\'s user data folder.');
}

/** The cookie that carries the token after the first visit: never readable by scripts, never sent to another site. */
export function tokenCookie(token: string): string {
  return `${TOKEN_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict`;
}
