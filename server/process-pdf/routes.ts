import { Router, type Request } from 'express';
import { actorFrom } from '../documents/actor';
import { readableProcess } from '../documents/access';
import { NotFoundError } from '../errors';
import { requireUser } from '../middleware/setUpAuth';
import type { Services } from '../services';
import { inTenant, requireTenant, runWithTenant } from '../tenancy/context';
import { findJob, startJob } from './jobs';
import { buildProcessPdf } from './service';

/** "Gerar PDF do processo": a background job, a progress page that refreshes itself, the download. */
export default function processPdfRoutes(services: Services): Router {
  const router = Router();

  const owner = (req: Request) => ({
    tenantId: requireTenant().id,
    userId: (req.user as { id: string }).id,
    processId: String(req.params.processId),
  });

  router.post('/processos/:processId/pdf', requireUser, async (req, res) => {
    const actor = actorFrom(req);
    await inTenant((t) => readableProcess(t, actor, String(req.params.processId)));
    const tenant = requireTenant();
    const job = startJob(owner(req), (j) =>
      runWithTenant(tenant, () =>
        buildProcessPdf(services.config, actor, String(req.params.processId), (done, total) => Object.assign(j, { done, total })),
      ),
    );
    res.redirect(`/processos/${req.params.processId}/pdf/${job.id}`);
  });

  router.get('/processos/:processId/pdf/:jobId', requireUser, (req, res) => {
    const job = findJob(String(req.params.jobId), owner(req));
    if (!job) throw new NotFoundError('Este PDF não está mais disponível: gere-o novamente.');
    if (req.query.formato === 'json') return res.json({ status: job.status, done: job.done, total: job.total, error: job.error ?? null });
    res.render('process-pdf/progress', {
      title: 'PDF do processo',
      job: { ...job, result: undefined, percent: job.total ? Math.round((job.done / job.total) * 100) : 0 },
      processId: req.params.processId,
    });
  });

  router.get('/processos/:processId/pdf/:jobId/arquivo', requireUser, (req, res) => {
    const job = findJob(String(req.params.jobId), owner(req));
    if (!job?.result) throw new NotFoundError('Este PDF não está disponível.');
    res.setHeader('Content-Type', 'application/pdf');
    res.setHeader('Content-Disposition', `attachment; filename="${job.result.fileName}"`);
    res.end(job.result.bytes);
  });

  return router;
}
