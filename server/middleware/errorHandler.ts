import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { DatabaseHealth } from '../db/health';
import { isDatabaseUnavailable } from '../db/unavailable';
import { DomainError } from '../errors';

export const notFound: RequestHandler = (_req, res) => {
  res.status(404).render('errors/not-found', { title: 'Página não encontrada' });
};

/**
 * The one error handler: typed errors to their status and page; the database out of reach (stopped,
 * restarting) a 503 that asks to try again shortly; anything else is a logged 500.
 */
export function errorHandler(production: boolean, health?: DatabaseHealth): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const code = (err as { code?: string }).code;
    let status = 500;
    let message = 'Ocorreu um erro inesperado. Tente novamente; se o problema continuar, informe o código abaixo ao suporte.';
    if (err instanceof DomainError) {
      status = err.status;
      message = err.message;
    } else if (isDatabaseUnavailable(err)) {
      health?.observe(err);
      status = 503;
      message = 'O sistema está temporariamente indisponível. Tente de novo em alguns instantes; nada do que já foi salvo se perdeu.';
      res.set('Retry-After', '5');
    } else if (code === 'EBADCSRFTOKEN') {
      status = 403;
      message = 'O formulário expirou ou não veio desta página. Volte, recarregue a página e envie de novo.';
    } else if (typeof (err as { status?: number }).status === 'number' && (err as { status: number }).status < 500) {
      status = (err as { status: number }).status;
      message = status === 413 ? 'O conteúdo enviado é grande demais.' : 'Não foi possível atender a esta requisição.';
    }
    if (status === 503) req.log?.warn({ err: (err as Error).message }, 'banco de dados indisponível');
    else if (status >= 500) req.log?.error({ err }, 'erro não tratado');
    else req.log?.info({ status, err: (err as Error).message }, 'requisição recusada');
    if (res.headersSent) return;
    res.status(status).render('errors/error', {
      layout: res.locals.layout ?? 'platform',
      title: status === 403 ? 'Acesso negado' : status === 404 ? 'Página não encontrada' : status === 503 ? 'Serviço temporariamente indisponível' : 'Erro',
      status,
      message,
      requestId: req.id,
      detail: !production && status >= 500 && status !== 503 ? (err as Error).stack : undefined,
    });
  };
}
