import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { auditActorOf } from '../audit/record';
import { requireRole } from '../auth/currentUnit';
import { ID_PATTERN } from '../documents/ids';
import { requireUser } from '../middleware/setUpAuth';
import { NO_INPUT, idParams, input, inputOf, parseForm, type FieldErrors } from '../validation';
import { flash, takeFlash } from '../web/flash';
import { renderForm, withFieldErrors } from '../web/forms';
import { API_BASE } from './contract';
import { SCOPES, SCOPE_LABELS, createKey, listKeys, revokeKey, unitsForKeys, type Scope } from './keys';

const keySchema = z.object({
  name: z.string({ error: 'Informe o nome do sistema.' }).trim().min(1, 'Informe o nome do sistema.').max(100, 'Use no máximo 100 caracteres.'),
  unitId: z.string({ error: 'Escolha a unidade.' }).regex(ID_PATTERN, 'Escolha a unidade.'),
  scopes: z
    .union([z.enum(SCOPES), z.array(z.enum(SCOPES))], { error: 'Marque ao menos um escopo.' })
    .transform((v) => [...new Set(([] as Scope[]).concat(v))]),
});

async function render(req: Request, res: Response, status: number, extra: { values?: Record<string, unknown>; errors?: FieldErrors; created?: { name: string; token: string } } = {}): Promise<void> {
  const [keys, units] = await Promise.all([listKeys(), unitsForKeys()]);
  const values = extra.values ?? {};
  const chosen = new Set(([] as unknown[]).concat(values.scopes ?? []).map(String));
  renderForm(res, 'api/keys', status, {
    title: 'Integrações',
    keys: keys.map((k) => ({ ...k, scopeList: k.scopes.join(', ') })),
    units: units.map((u) => ({ value: String(u.id), label: `${u.acronym} — ${u.name}`, selected: String(u.id) === String(values.unitId ?? '') })),
    scopes: SCOPES.map((s) => ({ value: s, label: SCOPE_LABELS[s], id: `scope-${s.replace(':', '-')}`, checked: chosen.has(s) })),
    created: extra.created,
    flash: takeFlash(req),
    docsUrl: `${API_BASE}/docs`,
  }, { values, errors: extra.errors });
}

/** /administracao/integracoes — the tenant's integration keys (issue 17). */
export default function apiKeyRoutes(): Router {
  const router = Router();
  router.use('/integracoes', requireUser, requireRole('admin'));

  router.get('/integracoes', input(NO_INPUT), async (req, res) => {
    await render(req, res, 200);
  });

  router.post('/integracoes', input(NO_INPUT), async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const parsed = parseForm(keySchema, body);
    if (!parsed.ok) return render(req, res, 422, { values: body, errors: parsed.errors });
    const outcome = await withFieldErrors(() => createKey(auditActorOf(req), parsed.data));
    if (!outcome.ok) return render(req, res, 422, { values: body, errors: outcome.errors });
    // The secret is shown on this response only: never stored, never redirected through a URL.
    res.setHeader('Cache-Control', 'no-store');
    await render(req, res, 201, { created: { name: parsed.data.name, token: outcome.value.token } });
  });

  const revokeInput = { params: idParams('id') };
  router.post('/integracoes/:id/revogar', input(revokeInput), async (req, res) => {
    await revokeKey(auditActorOf(req), inputOf(req, revokeInput).params.id);
    flash(req, 'Chave revogada. As próximas chamadas com ela são recusadas.');
    res.redirect('/administracao/integracoes');
  });
  return router;
}
