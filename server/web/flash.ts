import type { Request } from 'express';

declare module 'express-session' {
  interface SessionData {
    flash?: { type: 'success' | 'info'; message: string };
  }
}

/**
 * The one-time message of POST/redirect/GET: set before the redirect, shown once by the page the
 * redirect lands on, then gone.
 */
export function flash(req: Request, message: string, type: 'success' | 'info' = 'success'): void {
  req.session.flash = { type, message };
}

export function takeFlash(req: Request): { type: string; message: string } | undefined {
  const f = req.session.flash;
  if (f) delete req.session.flash;
  return f;
}
