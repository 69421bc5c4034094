import { ID_PATTERN } from '../documents/ids';
import { Router } from 'express';
import { z } from 'zod';
import { actorFrom } from '../documents/actor';
import { requireUser } from '../middleware/setUpAuth';
import { DocumentType, ProcessType, Unit } from '../models';
import { inTenant } from '../tenancy/context';
import { parseForm } from '../validation';
import { registerProcessSurface } from '../processes/surfaces';
import { hasCriteria, search, type SearchCriteria } from './service';

const optional = z
  .string()
  .trim()
  .max(300)
  .optional()
  .transform((v) => v || undefined);
const optionalId = z
  .string()
  .optional()
  .transform((v) => (v && ID_PATTERN.test(v) ? v : undefined));
const optionalDate = z
  .string()
  .optional()
  .refine((v) => !v || /^\d{4}-\d{2}-\d{2}$/.test(v), 'Use uma data válida.')
  .transform((v) => v || undefined);

const searchSchema = z.object({
  q: optional,
  numero: optional,
  tipoDocumento: optionalId,
  tipoProcesso: optionalId,
  interessado: optional,
  unidade: optionalId,
  de: optionalDate,
  ate: optionalDate,
  pagina: z.coerce.number().int().min(1).max(500).optional(),
});

/** Pesquisa: one GET form; the header's search box sends `q` (a number goes to the number field). */
export default function searchRoutes(): Router {
  const router = Router();
  router.get('/pesquisa', requireUser, async (req, res) => {
    const options = await inTenant(async (t) => ({
      documentTypes: (await DocumentType.findAll({ order: [['name', 'ASC']], transaction: t })).map((d) => ({ id: String(d.id), name: d.name })),
      processTypes: (await ProcessType.findAll({ order: [['name', 'ASC']], transaction: t })).map((d) => ({ id: String(d.id), name: d.name })),
      units: (await Unit.findAll({ where: { active: true }, order: [['acronym', 'ASC']], transaction: t })).map((u) => ({ id: String(u.id), name: `${u.acronym} — ${u.name}` })),
    }));
    const parsed = parseForm(searchSchema, req.query);
    if (!parsed.ok) return res.status(422).render('search/search', { title: 'Pesquisa', ...options, values: req.query, errors: parsed.errors, summary: parsed.summary });
    const v = parsed.data;
    let text = v.q;
    let number = v.numero;
    if (text && !number && /^[\d\s./-]+$/.test(text) && /\d{4,}/.test(text.replace(/\D/g, ''))) {
      number = text;
      text = undefined;
    }
    const criteria: SearchCriteria = { text, number, documentTypeId: v.tipoDocumento, processTypeId: v.tipoProcesso, party: v.interessado, unitId: v.unidade, from: v.de, to: v.ate, page: v.pagina };
    const searched = hasCriteria(criteria);
    const result = searched ? await search(actorFrom(req), criteria) : { hits: [], more: false, capped: false };
    const page = v.pagina ?? 1;
    const params = new URLSearchParams(Object.entries({ ...v, q: text, numero: number, pagina: undefined }).filter(([, x]) => x !== undefined).map(([k, x]) => [k, String(x)]));
    res.render('search/search', {
      title: 'Pesquisa',
      ...options,
      values: { ...v, q: text, numero: number },
      searched,
      hits: result.hits,
      capped: result.capped,
      documentMode: !!(text || v.tipoDocumento),
      nextPage: result.more ? `/pesquisa?${params}&pagina=${page + 1}` : null,
      previousPage: page > 1 ? `/pesquisa?${params}&pagina=${page - 1}` : null,
    });
  });
  return router;
}

registerProcessSurface('GET /pesquisa', 'resultados da pesquisa: processos e documentos, com trechos');
