import { Router, type RequestHandler } from 'express';
import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import { authenticateOperator, authenticateUser } from '../auth/service';
import type { Principal } from '../auth/principal';
import { PermissionDeniedError } from '../errors';

const fields = { usernameField: 'email', passwordField: 'password' };

passport.use(
  'tenant-user',
  new LocalStrategy(fields, (email, password, done) => {
    authenticateUser(email, password).then((p) => done(null, p ?? false), done);
  }),
);
passport.use(
  'operator',
  new LocalStrategy(fields, (email, password, done) => {
    authenticateOperator(email, password).then((p) => done(null, p ?? false), done);
  }),
);
passport.serializeUser((principal: Express.User, done) => done(null, principal));
/**
 * The principal is only honoured on the kind of site that issued it and, for tenant users, on the
 * tenant that issued it: an Angra user id never resolves on Maranhão's host.
 */
passport.deserializeUser((req: unknown, principal: Principal, done: (err: unknown, user?: Principal | false) => void) => {
  const site = (req as Express.Request).site;
  if (principal.type === 'user' && site.type === 'tenant' && site.tenant.id === principal.tenantId) return done(null, principal);
  if (principal.type === 'operator' && site.type === 'platform') return done(null, principal);
  return done(null, false);
});

export default function setUpAuth(): Router {
  const router = Router();
  router.use(passport.initialize());
  router.use(passport.session());
  router.use((req, res, next) => {
    res.locals.principal = req.user;
    next();
  });
  return router;
}

export const requireUser: RequestHandler = (req, res, next) => {
  if (req.user?.type === 'user') return next();
  res.redirect(`/login?next=${encodeURIComponent(req.originalUrl)}`);
};

export const requireOperator: RequestHandler = (req, res, next) => {
  if (req.user?.type === 'operator') return next();
  if (req.user) return next(new PermissionDeniedError('Acesso restrito aos operadores do MGI.'));
  res.redirect(`/login?next=${encodeURIComponent(req.originalUrl)}`);
};
