import { z } from 'zod';
import { Router, type Request, type Response } from 'express';
import { auditActorOf } from '../audit/record';
import { refreshMemberships, requireRole } from '../auth/currentUnit';
import type { Config } from '../config';
import { requireUser } from '../middleware/setUpAuth';
import { ROLES, type Role } from '../models';
import { flatten, unitTree } from '../units/service';
import { NO_INPUT, idParams, input, inputOf, parseForm, queryId, queryPage, queryText, type FieldErrors } from '../validation';
import { flash, takeFlash } from '../web/flash';
import { recordAction } from '../web/recordAction';
import { renderForm, withFieldErrors } from '../web/forms';
import { addMembershipSchema, cpfSchema, inviteSchema, parseInviteMemberships, positionSchema } from './adminValidation';
import {
  addMembership,
  addPosition,
  deactivatePosition,
  deactivateUser,
  inviteUser,
  listUsers,
  PAGE_SIZE,
  reactivateUser,
  removeMembership,
  resendInvitation,
  setUserCpf,
  userDetail,
} from './service';

const INVITE_ROWS = 3;
const ROLE_OPTIONS = ROLES.map((r) => ({ value: r, label: { basic: 'Básico', admin: 'Administrador', protocol: 'Protocolo' }[r] }));

async function unitOptions(selected?: string): Promise<{ id: string; path: string; name: string; selected: boolean }[]> {
  const { roots } = await unitTree();
  return flatten(roots)
    .filter((n) => n.active)
    .map((n) => ({ id: n.id, path: n.path, name: n.name, selected: n.id === selected }));
}

async function renderInvite(res: Response, status: number, body: Record<string, unknown> = {}, errors: Record<string, string> = {}): Promise<void> {
  const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)]);
  const units = list(body.unitId);
  const roles = list(body.role);
  const options = await unitOptions();
  const rows = Array.from({ length: INVITE_ROWS }, (_v, i) => ({
    index: i,
    number: i + 1,
    units: options.map((o) => ({ ...o, selected: o.id === units[i] })),
    roles: ROLE_OPTIONS.map((r) => ({ ...r, selected: (roles[i] ?? 'basic') === r.value })),
    error: errors[`unitId${i}`],
  }));
  renderForm(res, 'people/invite', status, { title: 'Convidar usuário', rows }, { values: body, errors });
}

/** The user's page; a refused form names its errors in `extra` (roleErrors, positionErrors, cpfErrors) and in `errors`, for the summary. */
async function renderUser(req: Request, res: Response, status = 200, extra: Record<string, unknown> = {}, errors: FieldErrors = {}): Promise<void> {
  const user = await userDetail(String(req.params.id));
  renderForm(res, 'people/user', status, {
    title: user.name,
    user,
    self: req.user?.id === user.id,
    units: await unitOptions(),
    roleOptions: ROLE_OPTIONS,
    flash: takeFlash(req),
    cpfValue: user.cpf ?? '',
    ...extra,
  }, { errors });
}

/** /administracao/usuarios… — the administrators' side of people. */
export default function peopleAdminRoutes(config: Config): Router {
  const router = Router();
  router.use('/usuarios', requireUser, requireRole('admin'));

  const listQuery = {
    query: z.object({
      q: queryText(100),
      unidade: queryId,
      perfil: z.union([z.enum(ROLES as [Role, ...Role[]], { error: 'Perfil inválido.' }), z.literal('')]).optional().transform((v) => v || undefined),
      situacao: z.union([z.enum(['ativos', 'inativos', 'todos'], { error: 'Situação inválida.' }), z.literal('')]).optional(),
      pagina: queryPage,
    }),
  };
  router.get('/usuarios', input(listQuery), async (req, res) => {
    const { query: v } = inputOf(req, listQuery);
    const q = v.q?.trim() ?? '';
    const unitId = v.unidade;
    const role = v.perfil;
    const active = v.situacao === 'inativos' ? 'false' : v.situacao === 'todos' ? 'all' : 'true';
    const page = v.pagina ?? 1;
    const { rows, total } = await listUsers({ q, unitId, role, active, page });
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const query = (p: number): string => {
      const params = new URLSearchParams();
      if (q) params.set('q', q);
      if (unitId) params.set('unidade', unitId);
      if (role) params.set('perfil', role);
      if (req.query.situacao) params.set('situacao', String(req.query.situacao));
      params.set('pagina', String(p));
      return `/administracao/usuarios?${params.toString()}`;
    };
    res.render('people/list', {
      title: 'Usuários',
      rows,
      total,
      filters: { q, situacao: active === 'false' ? 'inativos' : active === 'all' ? 'todos' : 'ativos' },
      units: [{ value: '', label: 'Todas as unidades', selected: !unitId }, ...(await unitOptions(unitId))],
      roles: [{ value: '', label: 'Todos os perfis', selected: !role }, ...ROLE_OPTIONS.map((r) => ({ ...r, selected: r.value === role }))],
      situations: [
        { value: 'ativos', label: 'Ativos', selected: active === 'true' },
        { value: 'inativos', label: 'Desativados', selected: active === 'false' },
        { value: 'todos', label: 'Todos', selected: active === 'all' },
      ],
      page,
      pages,
      previous: page > 1 ? query(page - 1) : null,
      next: page < pages ? query(page + 1) : null,
    });
  });

  router.get('/usuarios/convidar', input(NO_INPUT), async (_req, res) => {
    await renderInvite(res, 200);
  });

  router.post('/usuarios', input(NO_INPUT), async (req, res) => {
    const parsed = parseForm(inviteSchema, req.body);
    const rows = parseInviteMemberships(req.body ?? {});
    if (!parsed.ok || Object.keys(rows.errors).length) return renderInvite(res, 422, req.body, { ...(parsed.ok ? {} : parsed.errors), ...rows.errors });
    const outcome = await withFieldErrors(() => inviteUser(auditActorOf(req), config, { ...parsed.data, memberships: rows.memberships }));
    if (!outcome.ok) {
      // The service names the unit field; the form's first membership row shows it.
      const { unitId, ...fields } = outcome.errors;
      return renderInvite(res, 422, req.body, unitId ? { ...fields, unitId0: unitId } : fields);
    }
    flash(req, 'Convite enviado por e-mail.');
    res.redirect(`/administracao/usuarios/${outcome.value.id}`);
  });

  router.get('/usuarios/:id', input({ params: idParams('id') }), async (req, res) => {
    await renderUser(req, res);
  });

  router.post('/usuarios/:id/perfis', input({ params: idParams('id') }), async (req, res) => {
    const parsed = parseForm(addMembershipSchema, req.body);
    const id = String(req.params.id);
    if (!parsed.ok) return renderUser(req, res, 422, { roleErrors: parsed.errors }, parsed.errors);
    const outcome = await withFieldErrors(() => addMembership(auditActorOf(req), id, parsed.data.unitId, parsed.data.role));
    if (!outcome.ok) return renderUser(req, res, 422, { roleErrors: outcome.errors }, outcome.errors);
    if (id === req.user?.id) await refreshMemberships(req);
    flash(req, 'Perfis atualizados. Eles valem a partir da próxima página que a pessoa abrir.');
    res.redirect(`/administracao/usuarios/${id}`);
  });

  router.post('/usuarios/:id/perfis/:membershipId/remover', input({ params: idParams('id', 'membershipId') }), async (req, res) => {
    const id = String(req.params.id);
    await removeMembership(auditActorOf(req), id, String(req.params.membershipId));
    if (id === req.user?.id) await refreshMemberships(req);
    flash(req, 'Perfis atualizados. Eles valem a partir da próxima página que a pessoa abrir.');
    res.redirect(`/administracao/usuarios/${id}`);
  });

  router.post('/usuarios/:id/cargos', input({ params: idParams('id') }), async (req, res) => {
    const parsed = parseForm(positionSchema, req.body);
    if (!parsed.ok) return renderUser(req, res, 422, { positionErrors: parsed.errors, positionValue: req.body?.title }, parsed.errors);
    const outcome = await withFieldErrors(() => addPosition(auditActorOf(req), String(req.params.id), parsed.data.title));
    if (!outcome.ok) return renderUser(req, res, 422, { positionErrors: outcome.errors, positionValue: req.body?.title }, outcome.errors);
    flash(req, 'Cargos atualizados.');
    res.redirect(`/administracao/usuarios/${req.params.id}`);
  });

  router.post('/usuarios/:id/cargos/:positionId/remover', input({ params: idParams('id', 'positionId') }), async (req, res) => {
    await deactivatePosition(auditActorOf(req), String(req.params.id), String(req.params.positionId));
    flash(req, 'Cargos atualizados.');
    res.redirect(`/administracao/usuarios/${req.params.id}`);
  });

  router.post('/usuarios/:id/cpf', input({ params: idParams('id') }), async (req, res) => {
    const id = String(req.params.id);
    const parsed = parseForm(cpfSchema, req.body);
    if (!parsed.ok) return renderUser(req, res, 422, { cpfErrors: parsed.errors, cpfValue: req.body?.cpf }, parsed.errors);
    const outcome = await withFieldErrors(() => setUserCpf(auditActorOf(req), id, parsed.data.cpf));
    if (!outcome.ok) return renderUser(req, res, 422, { cpfErrors: outcome.errors, cpfValue: req.body?.cpf }, outcome.errors);
    flash(req, 'CPF atualizado. É com ele que a pessoa entra com gov.br.');
    res.redirect(`/administracao/usuarios/${id}`);
  });

  const userPage = (id: string) => `/administracao/usuarios/${id}`;
  recordAction(router, '/usuarios/:id/desativar', deactivateUser, 'Usuário desativado; as sessões abertas dele foram encerradas.', userPage);
  recordAction(router, '/usuarios/:id/reativar', reactivateUser, 'Usuário reativado.', userPage);
  recordAction(
    router,
    '/usuarios/:id/reenviar-convite',
    (actor, id) => resendInvitation(actor, config, id),
    'Convite reenviado por e-mail. O link anterior deixa de valer quando o novo for usado.',
    userPage,
  );

  return router;
}
