import { z } from 'zod';
import { Router } from 'express';
import { registerProcessSurface } from '../processes/surfaces';
import { actorOf } from '../web/actor';
import { sendFile } from '../documents/download';
import { requireUser } from '../middleware/setUpAuth';
import type { Services } from '../services';
import { JOB_ID, findPdfJob, pdfJobDownload, startPdfJob } from './jobs';
import { idParams, idSchema, input } from '../validation';

/**
 * "Gerar PDF do processo": starts a background job (a row of `process_pdf_jobs`, so any web process
 * can answer the next requests), a progress page that refreshes itself, the download.
 */
const jobParams = z.object({ processId: idSchema, jobId: z.string().regex(JOB_ID) });

export default function processPdfRoutes(services: Services): Router {
  const router = Router();

  router.post('/processos/:processId/pdf', input({ params: idParams('processId') }), requireUser, async (req, res) => {
    const job = await startPdfJob(services.config, actorOf(req), String(req.params.processId));
    res.redirect(`/processos/${req.params.processId}/pdf/${job.id}`);
  });

  router.get('/processos/:processId/pdf/:jobId', input({ params: jobParams, query: z.object({ formato: z.enum(['json', 'html'], { error: 'Formato inválido.' }).optional() }) }), requireUser, async (req, res) => {
    const job = await findPdfJob(services.config, actorOf(req), String(req.params.processId), String(req.params.jobId));
    if (req.query.formato === 'json') return res.json({ status: job.status, done: job.done, total: job.total, error: job.error });
    res.render('process-pdf/progress', {
      title: 'PDF do processo',
      job: { ...job, percent: job.total ? Math.round((job.done / job.total) * 100) : 0 },
      processId: req.params.processId,
    });
  });

  router.get('/processos/:processId/pdf/:jobId/arquivo', input({ params: jobParams }), requireUser, async (req, res) => {
    const file = await pdfJobDownload(actorOf(req), String(req.params.processId), String(req.params.jobId));
    await sendFile(req, res, file);
  });

  return router;
}

registerProcessSurface('GET /processos/:processId/pdf/:jobId', 'andamento da geração do PDF do processo');
registerProcessSurface('GET /processos/:processId/pdf/:jobId/arquivo', 'PDF do processo: páginas de todos os documentos legíveis');
