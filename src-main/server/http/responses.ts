// Every response of the studio server carries the same security headers; errors are always JSON
// `{code, message, hint}` with the status that goes with the code.
import type { IncomingMessage, ServerResponse } from 'node:http';

import { ApiError, type ApiErrorCode } from '../../common/api/errors.js';

/**
 * The renderer is our own bundle: scripts, styles and fonts from this origin only, images from here or made in the
 * page (canvas exports), connections to this origin (HTTP and its WebSocket), no plug-ins, no framing.
 */
export function contentSecurityPolicy(host: string | undefined): string {
  const socket = host ? ` ws://${host}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self'${socket}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function setSecurityHeaders(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', contentSecurityPolicy(req.headers.host));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), usb=(), serial=(), bluetooth=()');
  res.setHeader('Cache-Control', 'no-store');
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

export function sendError(res: ServerResponse, error: ApiError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (error.code === 'unauthorized') res.setHeader('WWW-Authenticate', 'Bearer realm="MagiCapture Studio"');
  sendJson(res, error.status, error.toJSON());
}

export function fail(code: ApiErrorCode, message: string, hint = ''): ApiError {
  return new ApiError(code, message, hint);
}
