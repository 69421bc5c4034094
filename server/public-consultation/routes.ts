import { Router, type RequestHandler, type Response } from 'express';
import { FailureThrottle } from '../auth/failureThrottle';
import { sendFile } from '../documents/download';
import { formatBytes } from '../documents/upload';
import setUpRequestContext from '../middleware/setUpRequestContext';
import type { Services } from '../services';
import { qrDataUrl, verificationPageUrl, verificationUrl } from '../signatures/verification';
import { registerProcessSurface } from '../processes/surfaces';
import { NO_INPUT, input, inputOf, parseForm } from '../validation';
import { renderForm } from '../web/forms';
import { publicDocument, publicFile, publicProcess, publicSearchPage } from './service';
import { documentParamsSchema, encodeCursor, processParamsSchema, publicSearchSchema } from './validation';

export const BASE = '/consulta-publica';
/** Short enough that a new andamento shows within a minute, long enough to absorb a crowd at a CDN. */
export const CACHE_CONTROL = 'public, max-age=60, stale-while-revalidate=60';

/**
 * Consulta pública: anonymous by construction — mounted before the session (server/app.ts), so it
 * never reads or sets a cookie and renders the same page for everyone; hence cacheable by a CDN.
 * Requests are counted per IP in platform.rate_limits.
 */
export default function publicConsultationRoutes(services: Services): Router {
  const router = Router();
  const limiter = new FailureThrottle(services.sequelize, 'public-consultation-ip', services.config.PUBLIC_CONSULTATION_PER_MINUTE, 60);

  const tenantOnly: RequestHandler = (req, _res, next) => (req.site.type === 'tenant' ? next() : next('router'));
  const rateLimited: RequestHandler = async (req, res, next) => {
    if (await limiter.consume(req.ip ?? 'unknown')) return next();
    res.setHeader('Retry-After', '60');
    res.setHeader('Cache-Control', 'no-store');
    res.status(429).render('public-consultation/search', { title: 'Consulta pública de processos', failure: 'Muitas consultas deste endereço em pouco tempo. Aguarde um minuto e tente novamente.', values: {} });
  };
  const cacheable = (res: Response) => {
    res.setHeader('Cache-Control', CACHE_CONTROL);
    res.setHeader('Vary', 'Accept-Encoding');
  };
  router.use(BASE, tenantOnly, setUpRequestContext(), rateLimited);

  // The search form's fields are parsed by publicSearchSchema below: 422 with the error next to each field.
  router.get(BASE, input(NO_INPUT), async (req, res) => {
    const parsed = parseForm(publicSearchSchema, req.query);
    const page = await publicSearchPage(parsed.ok ? parsed.data : null);
    const view = { title: 'Consulta pública de processos', processTypes: page.processTypes, units: page.units };
    if (!parsed.ok) {
      res.setHeader('Cache-Control', 'no-store');
      return renderForm(res, 'public-consultation/search', 422, view, { values: req.query, errors: parsed.errors });
    }
    const criteria = parsed.data;
    const searched = page.hits.length > 0 || !!(criteria.numberDigits || criteria.partyName || criteria.partyDocument || criteria.processTypeId || criteria.unitId || criteria.from || criteria.to);
    const params = new URLSearchParams(Object.entries(criteria.raw).filter(([k, v]) => k !== 'depois' && typeof v === 'string' && v) as [string, string][]);
    cacheable(res);
    renderForm(res, 'public-consultation/search', 200, {
      ...view,
      searched,
      hits: page.hits.map((h) => ({ ...h, restricted: h.level !== 'public' })),
      nextPage: page.next ? `${BASE}?${params}${params.size ? '&' : ''}depois=${encodeCursor(page.next)}` : null,
      firstPage: criteria.after ? `${BASE}?${params}` : null,
    }, { values: req.query });
  });

  const processInput = { params: processParamsSchema };
  router.get(`${BASE}/processos/:numero`, input(processInput), async (req, res) => {
    const process = await publicProcess(inputOf(req, processInput).params.numero);
    cacheable(res);
    res.render('public-consultation/process', { title: `Processo ${process.number}`, process });
  });

  const documentInput = { params: documentParamsSchema };
  router.get(`${BASE}/processos/:numero/documentos/:id`, input(documentInput), async (req, res) => {
    const { numero, id } = inputOf(req, documentInput).params;
    const doc = await publicDocument(numero, id);
    const url = doc.crc ? verificationUrl(services.config, doc.verificationCode, doc.crc) : null;
    cacheable(res);
    res.render('public-consultation/document', {
      title: doc.title,
      doc,
      verification: url ? { url, pageUrl: verificationPageUrl(services.config), qr: await qrDataUrl(url) } : null,
      fileSize: doc.fileSize ? formatBytes(Number(doc.fileSize)) : null,
      fileUrl: `${BASE}/processos/${doc.process.numberDigits}/documentos/${doc.id}/arquivo`,
    });
  });

  router.get(`${BASE}/processos/:numero/documentos/:id/arquivo`, input(documentInput), async (req, res) => {
    const { numero, id } = inputOf(req, documentInput).params;
    const file = await publicFile(numero, id);
    await sendFile(req, res, file);
  });

  return router;
}

registerProcessSurface('GET /consulta-publica', 'consulta pública: processos públicos e a existência dos restritos (anônimo)');
registerProcessSurface('GET /consulta-publica/processos/:numero', 'consulta pública: metadados, andamentos e documentos assinados de um processo público; existência de um restrito');
