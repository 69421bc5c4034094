import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { auditActorOf } from '../audit/record';
import { requireRole } from '../auth/currentUnit';
import { ValidationError } from '../errors';
import { requireUser } from '../middleware/setUpAuth';
import { calendarDate, input, NO_INPUT, parseForm, type FieldErrors } from '../validation';
import { brasiliaDay } from './businessDays';
import { addLocalHoliday, listHolidays, removeLocalHoliday } from './holidays';

const yearSchema = z.object({ ano: z.string().regex(/^20\d{2}$/, 'Ano inválido.').optional() });
const daySchema = z.object({ dia: calendarDate('Data inválida.') });
const holidaySchema = z.object({
  day: calendarDate('Informe a data do feriado (dd/mm/aaaa).'),
  name: z.string({ message: 'Informe o nome do feriado.' }).trim().min(3, 'Informe o nome do feriado (pelo menos 3 caracteres).').max(200, 'O nome pode ter no máximo 200 caracteres.'),
});

/** /administracao/feriados: the tenant's holidays (national seeded, local added here), for business-day deadlines. */
export default function holidayAdminRoutes(): Router {
  const router = Router();
  router.use('/feriados', requireUser, requireRole('admin'));

  const render = async (req: Request, res: Response, status: number, year: number, values: Record<string, unknown> = {}, errors: FieldErrors = {}): Promise<void> => {
    const holidays = await listHolidays(year);
    res.status(status).render('calendar/holidays', {
      title: 'Feriados',
      year,
      previous: year - 1,
      next: year + 1,
      holidays: holidays.map((h) => ({ ...h, local: h.scope === 'local', scopeLabel: h.scope === 'local' ? 'Local' : 'Nacional' })),
      values,
      errors,
      summary: Object.keys(errors).length ? Object.entries(errors).map(([field, message]) => ({ field, message })) : undefined,
      saved: req.query.salvo,
    });
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
    try {
      await addLocalHoliday(auditActorOf(req), parsed.data.day, parsed.data.name);
    } catch (err) {
      if (err instanceof ValidationError && Object.keys(err.fields).length) return render(req, res, 422, yearOf(parsed.data.day), body, err.fields);
      throw err;
    }
    res.redirect(303, `/administracao/feriados?ano=${parsed.data.day.slice(0, 4)}&salvo=1`);
  });

  router.post('/feriados/:dia/excluir', input({ params: daySchema }), async (req, res) => {
    const { dia } = daySchema.parse(req.params);
    await removeLocalHoliday(auditActorOf(req), dia);
    res.redirect(303, `/administracao/feriados?ano=${dia.slice(0, 4)}&salvo=excluido`);
  });

  return router;
}
