import express, { Router } from 'express';
import type { Pool } from 'pg';
import adhesionRoutes from './adhesion/routes';
import apiKeyRoutes from './api/adminRoutes';
import apiRoutes from './api/routes';
import { exposeCurrentUnit } from './auth/currentUnit';
import auditRoutes from './audit/routes';
import authRoutes from './auth/routes';
import catalogRoutes from './catalogs/routes';
import consoleRoutes from './console/routes';
import authenticityRoutes from './authenticity/routes';
import documentRoutes from './documents/routes';
import { documentPanel } from './documents/panel';
import { parseUploads } from './documents/upload';
import govbrRoutes from './govbr/routes';
import { GovbrService } from './govbr/service';
import homeRoutes from './home/routes';
import { DatabaseHealth, failFastWhileDatabaseDown } from './db/health';
import { errorHandler, notFound } from './middleware/errorHandler';
import resolveSite from './middleware/resolveSite';
import setUpAuth from './middleware/setUpAuth';
import refuseNulCharacters from './middleware/refuseNulCharacters';
import requireFormBodies from './middleware/requireFormBodies';
import setUpCsrf from './middleware/setUpCsrf';
import setUpHealthChecks from './middleware/setUpHealthChecks';
import setUpRequestContext from './middleware/setUpRequestContext';
import setUpSession from './middleware/setUpSession';
import setUpStaticResources from './middleware/setUpStaticResources';
import setUpViews from './middleware/setUpViews';
import setUpWebSecurity from './middleware/setUpWebSecurity';
import forgotPasswordRoutes from './people/forgotRoutes';
import passwordRoutes from './people/passwordRoutes';
import peopleAdminRoutes from './people/adminRoutes';
import directoryRoutes from './platform/directory';
import platformRoutes from './platform/routes';
import processPdfRoutes from './process-pdf/routes';
import publicConsultationRoutes from './public-consultation/routes';
import processRoutes from './processes/routes';
import protocolAdminRoutes from './protocol/adminRoutes';
import holidayAdminRoutes from './calendar/adminRoutes';
import protocolPortalRoutes from './protocol/portalRoutes';
import triageRoutes, { exposeProtocolQueue } from './protocol/triageRoutes';
import intimationRoutes, { intimationPanel } from './protocol/intimationRoutes';
import { parseCitizenUploads } from './protocol/uploads';
import { registerProcessPageSlot } from './processes/pageSlots';
import { registerProcessGuards } from './processes/unitGuard';
import searchRoutes from './search/routes';
import signatureRoutes from './signatures/routes';
import letterheadRoutes from './letterhead/routes';
import unitRoutes from './units/routes';
import tramitaRoutes from './tramita/routes';
import { tramitaPanel } from './tramita/panel';
import type { Services } from './services';

/** The routes of each kind of host. Features add their routers here. */
export function buildHostRouters(services: Services, extra: ExtraRoutes = {}): { platform: Router; tenant: Router } {
  const platform = Router();
  if (services.govbr) platform.use(govbrRoutes(services, services.govbr, 'platform'));
  platform.use(authRoutes(services));
  platform.use(platformRoutes(services));
  platform.use(directoryRoutes(services));
  platform.use(adhesionRoutes(services));
  platform.use(consoleRoutes(services));

  const tenant = Router();
  // Extra routes come first: a benchmark's page is then reached as cheaply as any other route.
  if (extra.tenant) tenant.use(extra.tenant);
  tenant.use(exposeProtocolQueue);
  if (services.govbr) tenant.use(govbrRoutes(services, services.govbr, 'tenant'));
  tenant.use(authRoutes(services));
  tenant.use(passwordRoutes());
  tenant.use(forgotPasswordRoutes(services));
  registerProcessGuards();
  registerProcessPageSlot('documents', documentPanel(services.config));
  registerProcessPageSlot('intimations', intimationPanel);
  registerProcessPageSlot('tramita', tramitaPanel);
  tenant.use(processRoutes(services));
  tenant.use(homeRoutes());
  tenant.use(authenticityRoutes(services));
  tenant.use(protocolPortalRoutes(services));
  tenant.use(triageRoutes(services));
  tenant.use(intimationRoutes(services));
  tenant.use(documentRoutes(services));
  tenant.use(signatureRoutes(services));
  tenant.use(searchRoutes());
  tenant.use(processPdfRoutes(services));
  tenant.use(letterheadRoutes());
  tenant.use(tramitaRoutes(services));
  tenant.use('/administracao', unitRoutes());
  tenant.use('/administracao', peopleAdminRoutes(services.config));
  tenant.use('/administracao', catalogRoutes());
  tenant.use('/administracao', auditRoutes());
  tenant.use('/administracao', protocolAdminRoutes());
  tenant.use('/administracao', apiKeyRoutes());
  tenant.use('/administracao', holidayAdminRoutes());
  return { platform, tenant };
}

/** Routes a benchmark or a test adds to a tenant host, behind the whole stack (never in production code). */
export interface ExtraRoutes {
  tenant?: Router;
}

function hostRoutes(services: Services, extra: ExtraRoutes): Router {
  const { platform, tenant } = buildHostRouters(services, extra);
  const router = Router();
  router.use((req, res, next) => (req.site.type === 'platform' ? platform : tenant)(req, res, next));
  return router;
}

/** Builds the app from its services; it never listens (server/main.ts and the tests do). */
export function createApp(given: Services, sessionPool: Pool, extra: ExtraRoutes = {}): express.Express {
  const { config } = given;
  const services: Services = { ...given, govbr: given.govbr !== undefined ? given.govbr : config.govbr ? new GovbrService(given.sequelize, config) : null };
  const app = express();
  app.set('trust proxy', config.production ? 1 : false);
  app.disable('x-powered-by');
  // Pages are per user and carry a CSRF token: an ETag (a hash of every body) would never match.
  // Static files keep theirs (express.static sets its own).
  app.set('etag', false);
  setUpViews(app, config.production);

  // One probe connection, outside the pool the pages queue on, says when a database found down is back.
  const health = new DatabaseHealth(() => sessionPool.query('SELECT 1'));
  app.use(setUpHealthChecks(services.sequelize, health));
  app.use(setUpWebSecurity(config));
  app.use(setUpStaticResources(config.production));
  app.use(failFastWhileDatabaseDown(health));
  app.use(resolveSite(services.registry));
  app.use(refuseNulCharacters());
  // Before the session: the consulta pública never reads or sets a cookie, so a CDN may cache it.
  app.use(publicConsultationRoutes(services));
  // Before the session and the form-body rule too: the integration API reads JSON and authenticates
  // by key only, never by cookie (server/api/routes.ts).
  app.use(apiRoutes(services));
  app.use(express.urlencoded({ extended: false, limit: '1mb' }));
  app.use(refuseNulCharacters());
  app.use(requireFormBodies());
  app.use(setUpSession(config, sessionPool, services.sessionCache));
  app.use(setUpRequestContext());
  app.use(setUpAuth());
  app.use(exposeCurrentUnit);
  // Multipart bodies (document uploads, CSV imports) are parsed before the CSRF check reads their `_csrf` field.
  app.use(parseUploads(config.UPLOAD_MAX_BYTES));
  app.use(parseCitizenUploads());
  app.use(refuseNulCharacters());
  app.use(setUpCsrf());
  app.use(hostRoutes(services, extra));
  app.use(notFound);
  app.use(errorHandler(config.production, health));
  return app;
}
