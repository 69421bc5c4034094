import { Router, type Request, type Response, type NextFunction } from 'express';
import passport from 'passport';
import type { Services } from '../services';
import { NO_INPUT, input, parseForm } from '../validation';
import { renderForm, type FormState } from '../web/forms';
import { logIn } from './logIn';
import { TooManyAttemptsError } from './loginThrottle';
import type { Principal } from './principal';
import { recordTenantEvent } from './service';
import { loginSchema } from './validation';
import { z } from 'zod';

const GENERIC_FAILURE = 'E-mail ou senha incorretos.';

/** Only local paths: `next` must never send the user to another site. */
export function safeNext(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])/.test(value) ? value : '/';
}

/** The login page; a refused attempt keeps the e-mail typed (`form.values`) and names what was wrong. */
function renderLogin(req: Request, res: Response, status: number, extra: Record<string, unknown> = {}, form: FormState = {}): void {
  const operator = req.site.type === 'platform';
  renderForm(res, 'auth/login', status, {
    title: operator ? 'Entrar no console do MGI' : 'Entrar',
    operator,
    govbr: !!res.locals.govbrEnabled,
    next: safeNext(req.query.next ?? (req.body as Record<string, unknown> | undefined)?.next),
    ...extra,
  }, form);
}

const loggedOutSchema = z.object({ saiu: z.enum(['govbr']).optional() });

export default function authRoutes({ loginThrottle, govbr }: Services): Router {
  const router = Router();
  router.use((_req, res, next) => {
    res.locals.govbrEnabled = !!govbr;
    next();
  });

  router.get('/login', input(NO_INPUT), async (req, res) => {
    if (req.user) return res.redirect(safeNext(req.query.next));
    const parsed = loggedOutSchema.safeParse(req.query);
    // After a gov.br session ends here, a link to end the one at gov.br too (when it offers one).
    const govbrLogoutUrl = parsed.success && parsed.data.saiu === 'govbr' && govbr ? await govbr.endSessionUrl() : null;
    renderLogin(req, res, 200, { govbrLogoutUrl, loggedOut: parsed.success && !!parsed.data.saiu });
  });

  router.post('/login', input(NO_INPUT), async (req: Request, res: Response, next: NextFunction) => {
    const parsed = parseForm(loginSchema, req.body);
    const values = { email: typeof req.body?.email === 'string' ? req.body.email : '' };
    if (!parsed.ok) return renderLogin(req, res, 422, {}, { values, errors: parsed.errors });
    const ip = req.ip ?? 'unknown';
    const account = `${req.site.type === 'tenant' ? req.site.tenant.id : 'op'}:${parsed.data.email.toLowerCase()}`;
    try {
      await loginThrottle.check(ip, account);
    } catch (err) {
      if (!(err instanceof TooManyAttemptsError)) return next(err);
      res.setHeader('Retry-After', String(err.retryAfterSeconds));
      const minutes = Math.max(1, Math.ceil(err.retryAfterSeconds / 60));
      return renderLogin(req, res, 429, { failure: `Muitas tentativas de acesso. Aguarde ${minutes} minuto${minutes > 1 ? 's' : ''} e tente novamente.` }, { values });
    }
    const strategy = req.site.type === 'tenant' ? 'tenant-user' : 'operator';
    passport.authenticate(strategy, (err: unknown, principal: Principal | false) => {
      if (err) return next(err);
      if (!principal) {
        loginThrottle
          .failed(ip, account)
          .then(() => renderLogin(req, res, 401, { failure: GENERIC_FAILURE }, { values }))
          .catch(next);
        return;
      }
      logIn(req, principal)
        .then(() =>
          Promise.all([
            principal.type === 'user' ? recordTenantEvent(principal.id, 'user.login', { ip, requestId: String(req.id) }) : undefined,
            loginThrottle.succeeded(account),
          ]),
        )
        .then(() => res.redirect(safeNext((req.body as Record<string, unknown>).next)))
        .catch(next);
    })(req, res, next);
  });

  router.post('/logout', input(NO_INPUT), (req, res, next) => {
    const viaGovbr = !!req.session.signedInWithGovbr && !!govbr;
    req.logout((err) => {
      if (err) return next(err);
      req.session.destroy(() => res.redirect(viaGovbr ? '/login?saiu=govbr' : '/login'));
    });
  });

  return router;
}
