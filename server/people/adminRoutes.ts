import { z } from 'zod';
import { Router, type Request, type Response } from 'express';
import { auditActorOf } from '../audit/record';
import { refreshMemberships, requireRole } from '../auth/currentUnit';
import type { Config } from '../config';
import { ValidationError } from '../errors';
import { requireUser } from '../middleware/setUpAuth';
import { ROLES, type Role } from '../models';
import { flatten, unitTree } from '../units/service';
import { NO_INPUT, idParams, input, inputOf, parseForm, queryId, queryPage, queryText } from '../validation';
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

function errorList(errors: Record<string, string>): { field: string; message: string }[] {
  return Object.entries(errors).map(([field, message]) => ({ field, message }));
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
  res.status(status).render('people/invite', { title: 'Convidar usuário', values: body, errors, summary: status === 422 ? errorList(errors) : undefined, rows });
}

async function renderUser(req: Request, res: Response, status = 200, extra: Record<string, unknown> = {}): Promise<void> {
  const user = await userDetail(String(req.params.id));
  res.status(status).render('people/user', {
    title: user.name,
    user,
    self: req.user?.id === user.id,
    units: await unitOptions(),
    roleOptions: ROLE_OPTIONS,
    saved: req.query.salvo,
    cpfValue: user.cpf ?? '',
    ...extra,
  });
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
      invited: req.query.convidado,
    });
  });

  router.get('/usuarios/convidar', input(NO_INPUT), async (_req, res) => {
    await renderInvite(res, 200);
  });

  router.post('/usuarios', input(NO_INPUT), async (req, res) => {
    const parsed = parseForm(inviteSchema, req.body);
    const rows = parseInviteMemberships(req.body ?? {});
    if (!parsed.ok || Object.keys(rows.errors).length) return renderInvite(res, 422, req.body, { ...(parsed.ok ? {} : parsed.errors), ...rows.errors });
    try {
      const user = await inviteUser(auditActorOf(req), config, { ...parsed.data, memberships: rows.memberships });
      res.redirect(`/administracao/usuarios/${user.id}?salvo=convidado`);
    } catch (err) {
      if (err instanceof ValidationError && Object.keys(err.fields).length) {
        const fields = { ...err.fields };
        if (fields.unitId) fields.unitId0 = fields.unitId;
        delete fields.unitId;
        return renderInvite(res, 422, req.body, fields);
      }
      throw err;
    }
  });

  router.get('/usuarios/:id', input({ params: idParams('id') }), async (req, res) => {
    await renderUser(req, res);
  });

  router.post('/usuarios/:id/perfis', input({ params: idParams('id') }), async (req, res) => {
    const parsed = parseForm(addMembershipSchema, req.body);
    const id = String(req.params.id);
    if (!parsed.ok) return renderUser(req, res, 422, { roleErrors: parsed.errors, summary: errorList(parsed.errors) });
    try {
      await addMembership(auditActorOf(req), id, parsed.data.unitId, parsed.data.role);
    } catch (err) {
      if (err instanceof ValidationError && Object.keys(err.fields).length) return renderUser(req, res, 422, { roleErrors: err.fields, summary: errorList(err.fields) });
      throw err;
    }
    if (id === req.user?.id) await refreshMemberships(req);
    res.redirect(`/administracao/usuarios/${id}?salvo=perfis`);
  });

  router.post('/usuarios/:id/perfis/:membershipId/remover', input({ params: idParams('id', 'membershipId') }), async (req, res) => {
    const id = String(req.params.id);
    await removeMembership(auditActorOf(req), id, String(req.params.membershipId));
    if (id === req.user?.id) await refreshMemberships(req);
    res.redirect(`/administracao/usuarios/${id}?salvo=perfis`);
  });

  router.post('/usuarios/:id/cargos', input({ params: idParams('id') }), async (req, res) => {
    const parsed = parseForm(positionSchema, req.body);
    if (!parsed.ok) return renderUser(req, res, 422, { positionErrors: parsed.errors, positionValue: req.body?.title, summary: errorList(parsed.errors) });
    try {
      await addPosition(auditActorOf(req), String(req.params.id), parsed.data.title);
    } catch (err) {
      if (err instanceof ValidationError && Object.keys(err.fields).length) return renderUser(req, res, 422, { positionErrors: err.fields, positionValue: req.body?.title, summary: errorList(err.fields) });
      throw err;
    }
    res.redirect(`/administracao/usuarios/${req.params.id}?salvo=cargos`);
  });

  router.post('/usuarios/:id/cargos/:positionId/remover', input({ params: idParams('id', 'positionId') }), async (req, res) => {
    await deactivatePosition(auditActorOf(req), String(req.params.id), String(req.params.positionId));
    res.redirect(`/administracao/usuarios/${req.params.id}?salvo=cargos`);
  });

  router.post('/usuarios/:id/cpf', input({ params: idParams('id') }), async (req, res) => {
    const ids = { data: { id: String(req.params.id) } };
    const parsed = parseForm(cpfSchema, req.body);
    if (!parsed.ok) return renderUser(req, res, 422, { cpfErrors: parsed.errors, cpfValue: req.body?.cpf, summary: errorList(parsed.errors) });
    try {
      await setUserCpf(auditActorOf(req), ids.data.id, parsed.data.cpf);
    } catch (err) {
      if (err instanceof ValidationError && Object.keys(err.fields).length) return renderUser(req, res, 422, { cpfErrors: err.fields, cpfValue: req.body?.cpf, summary: errorList(err.fields) });
      throw err;
    }
    res.redirect(`/administracao/usuarios/${ids.data.id}?salvo=cpf`);
  });

  router.post('/usuarios/:id/desativar', input({ params: idParams('id') }), async (req, res) => {
    await deactivateUser(auditActorOf(req), String(req.params.id));
    res.redirect(`/administracao/usuarios/${req.params.id}?salvo=desativado`);
  });

  router.post('/usuarios/:id/reativar', input({ params: idParams('id') }), async (req, res) => {
    await reactivateUser(auditActorOf(req), String(req.params.id));
    res.redirect(`/administracao/usuarios/${req.params.id}?salvo=reativado`);
  });

  router.post('/usuarios/:id/reenviar-convite', input({ params: idParams('id') }), async (req, res) => {
    await resendInvitation(auditActorOf(req), config, String(req.params.id));
    res.redirect(`/administracao/usuarios/${req.params.id}?salvo=reenviado`);
  });

  return router;
}
