import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { normalizeAddress } from '../net/address.js';

/** What the access rule looks at in a request. */
export interface DashboardRequest {
  readonly remoteAddress: string | undefined;
  readonly authorization: string | undefined;
  /** The `token` query parameter: a browser's EventSource cannot send headers. */
  readonly queryToken: string | null;
}

const isLoopback = (address: string): boolean => {
  const plain = normalizeAddress(address);
  return isIP(plain) === 4 ? plain.startsWith('127.') : plain === '::1';
};

const sameSecret = (given: string, token: string): boolean => {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
};

/**
 * The dashboard shows who is logged in and from where, so: loopback clients always; anyone else only with
 * the configured token (`Authorization: Bearer <token>` or `?token=`), and nobody else when none is set.
 */
export function dashboardAllowed(request: DashboardRequest, token: string | undefined): boolean {
  if (request.remoteAddress !== undefined && isLoopback(request.remoteAddress)) return true;
  if (token === undefined) return false;
  const bearer = /^Bearer (.+)$/i.exec(request.authorization ?? '')?.[1];
  return [bearer, request.queryToken].some((given) => given != null && sameSecret(given, token));
}
