import { Router } from 'express';
import type { Services } from '../services';
import alterRoutes from './alterRoutes';
import creationRoutes from './creationRoutes';
import inboxRoutes from './inboxRoutes';
import pageRoutes from './pageRoutes';
import sendRoutes from './sendRoutes';
import { registerProcessSurface } from './surfaces';

/**
 * The processes' pages, one route file per page or action group, in the order they must match
 * (fixed paths such as /processos/novo and /processos/enviar before /processos/:id).
 */
export default function processRoutes(services: Services): Router {
  const router = Router();
  router.use(inboxRoutes());
  router.use(creationRoutes());
  router.use(sendRoutes(services));
  router.use(pageRoutes());
  router.use(alterRoutes());
  return router;
}

registerProcessSurface('GET /', 'Controle de processos: número, tipo e especificação dos processos da unidade');
registerProcessSurface('GET /processos/:id', 'página do processo: interessados, especificação, relacionados, anexados, sobrestamento, andamentos, documentos');
registerProcessSurface('GET /api/processos/interessados', 'sugestões de interessados (nome e CPF/CNPJ)');
registerProcessSurface('GET /processos/numero', 'localizar processo pelo número');
registerProcessSurface('GET /processos/enviar', 'formulário de envio: números dos processos escolhidos');
registerProcessSurface('GET /processos/:id/enviar', 'formulário de envio de um processo');
registerProcessSurface('GET /processos/:id/alterar', 'formulário de alteração: todos os campos do processo');
