import { Router, type Request, type Response } from 'express';
import { hashPassword } from '../auth/passwords';
import { logIn } from '../auth/logIn';
import { recordTenantEvent } from '../auth/service';
import { requireTenant } from '../tenancy/context';
import { NO_INPUT, input, parseForm } from '../validation';
import { renderForm } from '../web/forms';
import { peekUserToken, setPasswordByToken } from './tokens';
import { newPasswordSchema } from './validation';

function renderInvalid(res: Response): void {
  res.status(410).render('people/link-invalid', { title: 'Link inválido ou expirado' });
}

/** The page behind invitation and reset links: set a password, then land logged in. */
export default function passwordRoutes(): Router {
  const router = Router();

  router.get('/definir-senha', input(NO_INPUT), async (req: Request, res: Response) => {
    const token = typeof req.query.token === 'string' ? req.query.token : '';
    const found = await peekUserToken(token);
    if (!found) return renderInvalid(res);
    res.render('people/set-password', { title: 'Definir senha', token, user: { name: found.user.name, email: found.user.email }, invite: found.token.purpose === 'invite' });
  });

  router.post('/definir-senha', input(NO_INPUT), async (req: Request, res: Response) => {
    const parsed = parseForm(newPasswordSchema, req.body);
    const token = typeof req.body?.token === 'string' ? req.body.token : '';
    if (!parsed.ok) {
      const found = await peekUserToken(token);
      if (!found) return renderInvalid(res);
      return renderForm(
        res,
        'people/set-password',
        422,
        { title: 'Definir senha', token, user: { name: found.user.name, email: found.user.email }, invite: found.token.purpose === 'invite' },
        { errors: parsed.errors },
      );
    }
    const passwordHash = await hashPassword(parsed.data.password);
    const user = await setPasswordByToken(parsed.data.token, passwordHash);
    if (!user) return renderInvalid(res);
    const tenant = requireTenant();
    await recordTenantEvent(String(user.id), 'user.password_set', { ip: req.ip, requestId: String(req.id), entity: 'user' });
    await logIn(req, { type: 'user', id: String(user.id), tenantId: tenant.id, name: user.name, email: user.email });
    res.redirect('/');
  });

  return router;
}
