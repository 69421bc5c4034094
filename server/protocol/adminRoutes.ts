import { Router, type Request, type Response } from 'express';
import { auditActorOf } from '../audit/record';
import { requireRole } from '../auth/currentUnit';
import { ACCEPTED_TYPES } from '../documents/upload';
import { requireUser } from '../middleware/setUpAuth';
import { FIELD_KINDS } from '../models';
import { NO_INPUT, idParams, input, parseForm, type FieldErrors } from '../validation';
import { flash, takeFlash } from '../web/flash';
import { renderForm, withFieldErrors } from '../web/forms';
import { getService, listServices, saveService, serviceFormChoices, setServiceStatus, SERVICE_STATUS_LABELS } from './catalog';
import { ATTACHMENT_ROWS, FIELD_KIND_LABELS, FIELD_ROWS, MAX_ATTACHMENT_MB, serviceFormValues, serviceSchema, TRUST_REQUIREMENT_LABELS } from './serviceValidation';
import { idFrom } from './params';

const serviceId = (req: Request): string => idFrom(req.params, 'Serviço não encontrado.');

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** The service form's view model: fixed rows of fields and attachments with their values and errors. */
async function renderService(req: Request, res: Response, status: number, id: string | null, values: Record<string, unknown>, errors: FieldErrors = {}, serviceStatus?: string): Promise<void> {
  const choices = await serviceFormChoices();
  const sel = (list: { id: string; label: string }[], current: unknown) => list.map((o) => ({ value: o.id, label: o.label, selected: o.id === str(current) }));
  renderForm(res, 'protocol/admin-service', status, {
    title: id ? `Serviço: ${str(values.name)}` : 'Novo serviço',
    id,
    flash: takeFlash(req),
    status: serviceStatus,
    statusLabel: serviceStatus ? SERVICE_STATUS_LABELS[serviceStatus as keyof typeof SERVICE_STATUS_LABELS] : undefined,
    units: sel(choices.units, values.receivingUnitId),
    types: sel(choices.types, values.processTypeId),
    bases: sel(choices.bases, values.legalBasisId),
    levels: [
      { value: 'restricted', label: 'Restrito (dados pessoais do cidadão)', selected: str(values.accessLevel || 'restricted') === 'restricted' },
      { value: 'public', label: 'Público', selected: values.accessLevel === 'public' },
    ],
    trustLevels: (Object.entries(TRUST_REQUIREMENT_LABELS) as [string, string][]).map(([value, label]) => ({ value, label, selected: str(values.minTrustLevel) === value })),
    acceptedTypes: Object.keys(ACCEPTED_TYPES).join(', '),
    maxMb: MAX_ATTACHMENT_MB,
    fieldRows: Array.from({ length: FIELD_ROWS }, (_v, i) => ({
      i,
      n: i + 1,
      label: str(values[`field${i}Label`]),
      required: values[`field${i}Required`] === 'sim',
      options: str(values[`field${i}Options`]),
      kinds: FIELD_KINDS.map((k) => ({ value: k, label: FIELD_KIND_LABELS[k], selected: str(values[`field${i}Kind`] || 'text') === k })),
      labelError: errors[`field${i}Label`],
      kindError: errors[`field${i}Kind`],
      optionsError: errors[`field${i}Options`],
    })),
    attachmentRows: Array.from({ length: ATTACHMENT_ROWS }, (_v, i) => ({
      i,
      n: i + 1,
      name: str(values[`attachment${i}Name`]),
      types: str(values[`attachment${i}Types`]),
      maxMb: str(values[`attachment${i}MaxMb`]),
      required: values[`attachment${i}Required`] === 'sim',
      nameError: errors[`attachment${i}Name`],
      typesError: errors[`attachment${i}Types`],
      maxMbError: errors[`attachment${i}MaxMb`],
    })),
  }, { values, errors });
}

/** /administracao/servicos: the services citizens can request (administrators of the tenant). */
export default function protocolAdminRoutes(): Router {
  const router = Router();
  router.use('/servicos', requireUser, requireRole('admin'));

  router.get('/servicos', input(NO_INPUT), async (_req, res) => {
    res.render('protocol/admin-list', { title: 'Serviços ao cidadão', rows: await listServices() });
  });

  router.get('/servicos/novo', input(NO_INPUT), async (req, res) => {
    await renderService(req, res, 200, null, { accessLevel: 'restricted', attachment0Types: 'pdf, jpg, png', attachment0MaxMb: '10' });
  });

  const save = async (req: Request, res: Response, id: string | null): Promise<void> => {
    const current = id ? await getService(id) : null;
    const body = req.body as Record<string, unknown>;
    const parsed = parseForm(serviceSchema, body);
    if (!parsed.ok) return renderService(req, res, 422, id, body, parsed.errors, current?.status);
    const outcome = await withFieldErrors(() => saveService(auditActorOf(req), id, parsed.data));
    if (!outcome.ok) return renderService(req, res, 422, id, body, outcome.errors, current?.status);
    flash(req, 'Alterações salvas.');
    res.redirect(`/administracao/servicos/${outcome.value}`);
  };

  router.post('/servicos', input(NO_INPUT), (req, res) => save(req, res, null));

  router.get('/servicos/:id', input({ params: idParams('id') }), async (req, res) => {
    const id = serviceId(req);
    const service = await getService(id);
    await renderService(req, res, 200, id, serviceFormValues(service), {}, service.status);
  });

  router.post('/servicos/:id', input({ params: idParams('id') }), (req, res) => save(req, res, serviceId(req)));

  router.post('/servicos/:id/publicar', input({ params: idParams('id') }), async (req, res) => {
    const id = serviceId(req);
    await setServiceStatus(auditActorOf(req), id, 'published');
    flash(req, 'Publicado: o serviço está no portal do Protocolo.');
    res.redirect(`/administracao/servicos/${id}`);
  });

  router.post('/servicos/:id/retirar', input({ params: idParams('id') }), async (req, res) => {
    const id = serviceId(req);
    await setServiceStatus(auditActorOf(req), id, 'withdrawn');
    flash(req, 'Retirado do portal. As solicitações já feitas continuam.');
    res.redirect(`/administracao/servicos/${id}`);
  });

  return router;
}
