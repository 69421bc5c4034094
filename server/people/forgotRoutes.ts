import { Router, type Request, type Response } from 'express';
import { FailureThrottle } from '../auth/failureThrottle';
import type { Services } from '../services';
import { NO_INPUT, input, parseForm } from '../validation';
import { renderForm, type FormState } from '../web/forms';
import { forgotSchema } from './adminValidation';
import { requestPasswordReset } from './service';

export interface ForgotLimits {
  perAccount: number;
  perIp: number;
  windowSeconds: number;
}

const DEFAULT_FORGOT_LIMITS: ForgotLimits = { perAccount: 3, perIp: 20, windowSeconds: 60 * 60 };

/**
 * "Esqueci minha senha". The answer is the same page, message and status whether or not the e-mail
 * belongs to someone; requests are counted per e-mail (over the limit: silently not sent) and per
 * IP (over the limit: 429, which says nothing about the e-mail), in `platform.rate_limits`.
 */
export default function forgotPasswordRoutes({ config, sequelize }: Services, limits: ForgotLimits = DEFAULT_FORGOT_LIMITS): Router {
  const byAccount = new FailureThrottle(sequelize, 'reset-account', limits.perAccount, limits.windowSeconds);
  const byIp = new FailureThrottle(sequelize, 'reset-ip', limits.perIp, limits.windowSeconds);
  const router = Router();

  const render = (res: Response, status: number, extra: Record<string, unknown> = {}, form: FormState = {}): void => {
    renderForm(res, 'people/forgot', status, { title: 'Esqueci minha senha', ...extra }, form);
  };

  router.get('/esqueci-minha-senha', input(NO_INPUT), (_req, res) => render(res, 200));

  router.post('/esqueci-minha-senha', input(NO_INPUT), async (req: Request, res: Response) => {
    const parsed = parseForm(forgotSchema, req.body);
    if (!parsed.ok) return render(res, 422, {}, { errors: parsed.errors, values: { email: String(req.body?.email ?? '') } });
    const tenantId = req.site.type === 'tenant' ? req.site.tenant.id : 'platform';
    if (!(await byIp.consume(req.ip ?? 'unknown'))) {
      return render(res, 429, { failure: 'Muitos pedidos de redefinição a partir desta rede. Aguarde uma hora e tente de novo.' });
    }
    const underAccountLimit = await byAccount.consume(`${tenantId}:${parsed.data.email}`);
    if (underAccountLimit) await requestPasswordReset(config, parsed.data.email);
    render(res, 200, { sent: true, email: parsed.data.email });
  });

  return router;
}
