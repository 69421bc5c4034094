import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { logIn } from '../auth/logIn';
import { TooManyAttemptsError } from '../auth/loginThrottle';
import type { Principal } from '../auth/principal';
import { safeNext } from '../auth/routes';
import { operatorByCpf, recordTenantEvent, userByCpf } from '../auth/service';
import type { Services } from '../services';
import { NO_INPUT, input } from '../validation';
import { GovbrRejectedError, GovbrUnavailableError } from './client';
import { GovbrService, GovbrStateError, GovbrTicketError } from './service';

export const UNAVAILABLE_MESSAGE = 'O gov.br não respondeu. Tente novamente em alguns minutos ou entre com o seu e-mail e senha.';

const startSchema = z.object({ next: z.string().max(2000).optional() });
const callbackSchema = z.object({
  state: z.string().min(1).max(500),
  code: z.string().min(1).max(2000).optional(),
  error: z.string().max(200).optional(),
});
const ticketSchema = z.object({ ticket: z.string().regex(/^[A-Za-z0-9_-]{43}$/) });

function problem(res: Response, status: number, title: string, message: string, extra: Record<string, unknown> = {}): void {
  res.status(status).render('govbr/problem', { title, message, ...extra });
}

/** Failed gov.br attempts count in the login throttle, per IP and per account (or per IP alone). */
function throttleKey(req: Request, cpf?: string): { ip: string; account: string } {
  const ip = req.ip ?? 'unknown';
  const site = req.site.type === 'tenant' ? req.site.tenant.id : 'op';
  return { ip, account: cpf ? `${site}:govbr:${cpf}` : `${site}:govbr-ip:${ip}` };
}

/**
 * "Entrar com gov.br" for staff (tenant hosts) and MGI operators (platform host), and the platform's
 * one callback URL. Mounted on both hosts; present only when gov.br is configured.
 */
export default function govbrRoutes({ config, loginThrottle }: Services, govbr: GovbrService, host: 'platform' | 'tenant'): Router {
  const router = Router();
  const purpose = (req: Request) => (req.site.type === 'tenant' ? 'staff' : 'operator');

  // Tokens and free text only (state, code, ticket, next): parsed below, each failure a page of its own.
  router.get('/entrar/govbr', input(NO_INPUT), async (req, res) => {
    const parsed = startSchema.safeParse(req.query);
    const next = safeNext(parsed.success ? parsed.data.next : undefined);
    const key = throttleKey(req);
    try {
      await loginThrottle.check(key.ip, key.account);
      res.redirect(await govbr.begin(req, purpose(req), '/entrar/govbr/concluir', next));
    } catch (err) {
      if (err instanceof TooManyAttemptsError) {
        res.setHeader('Retry-After', String(err.retryAfterSeconds));
        return problem(res, 429, 'Muitas tentativas de acesso', 'Muitas tentativas de acesso. Aguarde alguns minutos e tente novamente.');
      }
      if (!(err instanceof GovbrUnavailableError)) throw err;
      req.log?.warn({ err: err.message }, 'gov.br indisponível');
      problem(res, 503, 'gov.br indisponível', UNAVAILABLE_MESSAGE);
    }
  });

  // The one callback URL registered with gov.br: on the platform host only.
  if (host === 'platform') router.get('/entrar/govbr/retorno', input(NO_INPUT), async (req, res) => {
    const parsed = callbackSchema.safeParse(req.query);
    if (!parsed.success) return problem(res, 400, 'Acesso pelo gov.br não concluído', 'O retorno do gov.br veio incompleto. Volte à página de entrada e tente de novo.');
    // The URL gov.br redirected to, as registered (whatever proxy stands in front of us).
    const url = new URL(GovbrService.redirectUri(config));
    for (const [k, v] of Object.entries(req.query)) if (typeof v === 'string') url.searchParams.set(k, v);
    try {
      const { redirect } = await govbr.complete(url);
      res.redirect(redirect);
    } catch (err) {
      if (err instanceof GovbrStateError) {
        const key = throttleKey(req);
        await loginThrottle.failed(key.ip, key.account);
        return problem(res, 400, 'Acesso pelo gov.br não concluído', 'Este retorno do gov.br não corresponde a um acesso iniciado aqui, ou já foi usado. Volte à página de entrada e tente de novo.');
      }
      if (err instanceof GovbrUnavailableError) {
        req.log?.warn({ err: err.message }, 'gov.br indisponível');
        return problem(res, 503, 'gov.br indisponível', UNAVAILABLE_MESSAGE, { loginUrl: err.loginUrl });
      }
      if (err instanceof GovbrRejectedError) {
        req.log?.info({ err: err.message }, 'acesso pelo gov.br recusado');
        return problem(res, 400, 'Acesso pelo gov.br não concluído', 'O gov.br não confirmou este acesso. Volte à página de entrada e tente de novo.', { loginUrl: err.loginUrl });
      }
      throw err;
    }
  });

  router.get('/entrar/govbr/concluir', input(NO_INPUT), async (req, res, next) => {
    const key = throttleKey(req);
    try {
      await loginThrottle.check(key.ip, key.account);
      if (!ticketSchema.safeParse(req.query).success) throw new GovbrTicketError('invalid');
      const { identity, nextPath } = await govbr.redeem(req, purpose(req));
      const who = throttleKey(req, identity.cpf);
      await loginThrottle.check(who.ip, who.account);
      const principal: Principal | null = req.site.type === 'tenant' ? await userByCpf(identity.cpf) : await operatorByCpf(identity.cpf);
      if (!principal) {
        await loginThrottle.failed(who.ip, who.account);
        const where = req.site.type === 'tenant' ? `em ${req.site.tenant.name}` : 'entre os operadores do MGI';
        return problem(res, 403, 'CPF não cadastrado', req.site.type === 'tenant' ? 'Seu CPF não está cadastrado neste órgão.' : 'Seu CPF não está cadastrado entre os operadores do MGI.', {
          detail: `Nenhum usuário ativo ${where} tem o CPF da conta gov.br com que você entrou. Peça ao administrador do seu órgão que registre o seu CPF no seu cadastro, ou entre com o seu e-mail e senha.`,
        });
      }
      await logIn(req, principal);
      req.session.signedInWithGovbr = true;
      await Promise.all([
        principal.type === 'user' ? recordTenantEvent(principal.id, 'user.login.govbr', { ip: key.ip, requestId: String(req.id) }) : undefined,
        loginThrottle.succeeded(who.account),
      ]);
      res.redirect(safeNext(nextPath));
    } catch (err) {
      if (err instanceof TooManyAttemptsError) {
        res.setHeader('Retry-After', String(err.retryAfterSeconds));
        return problem(res, 429, 'Muitas tentativas de acesso', 'Muitas tentativas de acesso. Aguarde alguns minutos e tente novamente.');
      }
      if (err instanceof GovbrTicketError) {
        await loginThrottle.failed(key.ip, key.account);
        return problem(res, err.problem === 'expired' ? 410 : 400, 'Acesso pelo gov.br não concluído', `${err.message} Volte à página de entrada e entre de novo.`);
      }
      next(err);
    }
  });

  return router;
}
