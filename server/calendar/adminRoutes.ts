import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { auditActorOf } from '../audit/record';
import { requireRole } from '../auth/currentUnit';
import { requireUser } from '../middleware/setUpAuth';
import { calendarDate, input, NO_INPUT, parseForm, type FieldErrors } from '../validation';
import { flash, takeFlash } from '../web/flash';
import { renderForm, withFieldErrors } from '../web/forms';
import { brasiliaDay } from './businessDays';
import { addLocalHoliday, holidayPage, removeLocalHoliday, setTacitDays } from './holidays';

const thisYear = (): number => Number(brasiliaDay(new Date()).slice(0, 4));
const yearSchema = z.object({ ano: z.string().regex(/^20\d{2}$/, 'Ano inválido.').optional() });
const daySchema = z.object({ dia: calendarDate('Data inválida.') });
const tacitSchema = z
  .object({
    tipo: z.string().regex(/^(\d{1,18})?$/, 'Escolha um tipo de processo da lista.').optional().default(''),
    dias: z.string().trim().regex(/^(\d{1,2})?$/, 'Informe o prazo em dias, de 1 a 60.').optional().default(''),
  })
  .transform((v) => ({ processTypeId: v.tipo || null, days: v.dias ? Number(v.dias) : null }))
  .superRefine((v, ctx) => {
    if (v.days !== null && (v.days < 1 || v.days > 60)) ctx.addIssue({ code: 'custom', path: ['dias'], message: 'Informe o prazo em dias, de 1 a 60.' });
    if (v.days === null && v.processTypeId === null) ctx.addIssue({ code: 'custom', path: ['dias'], message: 'Informe o prazo do ente, de 1 a 60 dias.' });
  });
const holidaySchema = z.object({
  day: calendarDate('Informe a data do feriado (dd/mm/aaaa).'),
  name: z.string({ message: 'Informe o nome do feriado.' }).trim().min(3, 'Informe o nome do feriado (pelo menos 3 caracteres).').max(200, 'O nome pode ter no máximo 200 caracteres.'),
});

/** /administracao/feriados: the tenant's holidays (national seeded, local added here), for business-day deadlines. */
export default function holidayAdminRoutes(): Router {
  const router = Router();
  router.use('/feriados', requireUser, requireRole('admin'));

  const render = async (req: Request, res: Response, status: number, year: number, values: Record<string, unknown> = {}, errors: FieldErrors = {}): Promise<void> => {
    const page = await holidayPage(year, thisYear());
    renderForm(res, 'calendar/holidays', status, {
      title: 'Feriados',
      year,
      previous: year > page.firstYear ? year - 1 : null,
      next: year < page.lastYear ? year + 1 : null,
      nationalSeeded: page.nationalSeeded,
      holidays: page.holidays.map((h) => ({ ...h, local: h.scope === 'local', scopeLabel: h.scope === 'local' ? 'Local' : 'Nacional' })),
      tacitDays: page.deadlines.tacitDays,
      overrides: page.deadlines.processTypes.filter((p) => p.tacitDays !== null),
      processTypes: [{ value: '', label: 'Todos (prazo do ente)' }, ...page.deadlines.processTypes.map((p) => ({ value: p.id, label: p.name, selected: values.tipo === p.id }))],
      flash: takeFlash(req),
    }, { values, errors });
  };

  router.get('/feriados', input({ query: yearSchema }), async (req, res) => {
    const parsed = yearSchema.safeParse(req.query);
    const year = parsed.success && parsed.data.ano ? Number(parsed.data.ano) : Number(brasiliaDay(new Date()).slice(0, 4));
    await render(req, res, 200, year);
  });

  router.post('/feriados', input(NO_INPUT), async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const parsed = parseForm(holidaySchema, body);
    const yearOf = (v: unknown) => (typeof v === 'string' && /^20\d{2}-/.test(v) ? Number(v.slice(0, 4)) : Number(brasiliaDay(new Date()).slice(0, 4)));
    if (!parsed.ok) return render(req, res, 422, yearOf(body.day), body, parsed.errors);
    const outcome = await withFieldErrors(() => addLocalHoliday(auditActorOf(req), parsed.data.day, parsed.data.name));
    if (!outcome.ok) return render(req, res, 422, yearOf(parsed.data.day), body, outcome.errors);
    flash(req, 'Feriado incluído.');
    res.redirect(303, `/administracao/feriados?ano=${parsed.data.day.slice(0, 4)}`);
  });

  router.post('/feriados/prazo-ciencia', input(NO_INPUT), async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const parsed = parseForm(tacitSchema, body);
    if (!parsed.ok) return render(req, res, 422, thisYear(), body, parsed.errors);
    const outcome = await withFieldErrors(() => setTacitDays(auditActorOf(req), parsed.data.processTypeId, parsed.data.days));
    if (!outcome.ok) return render(req, res, 422, thisYear(), body, outcome.errors);
    flash(req, 'Prazo de ciência salvo.');
    res.redirect(303, '/administracao/feriados#prazo-ciencia');
  });

  router.post('/feriados/:dia/excluir', input({ params: daySchema }), async (req, res) => {
    const { dia } = daySchema.parse(req.params);
    await removeLocalHoliday(auditActorOf(req), dia);
    flash(req, 'Feriado excluído.');
    res.redirect(303, `/administracao/feriados?ano=${dia.slice(0, 4)}`);
  });

  return router;
}
