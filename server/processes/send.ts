import { Op } from 'sequelize';
import { execute, select } from '../db/sql';
import { withArticle } from '../tenancy/grammar';
import { ValidationError } from '../errors';
import { enqueueMail } from '../mail/outbox';
import { ProcessUnit, Unit } from '../models';
import { inTenant, requireTenant } from '../tenancy/context';
import type { Viewer } from './access';
import { recordEvent } from './events';
import { lockInboxCounts } from './inboxCounts';
import { loadForAction } from './state';

export interface SendInput {
  unitIds: string[];
  keepOpen: boolean;
  /** Retorno programado, YYYY-MM-DD, or null. */
  expectedReturn: string | null;
  notify: boolean;
}

export interface SendOptions {
  /** Builds the absolute link to the process for the e-mail. */
  processUrl: (processId: string) => string;
  today: string;
}

/**
 * Enviar: the process becomes open and unread in each target unit (a fresh arrival, with its
 * retorno programado); without "manter aberto" it is concluded here. Optionally e-mails the active
 * users of the target units — in the same transaction.
 */
export async function sendProcess(id: string, viewer: Viewer, input: SendInput, opts: SendOptions): Promise<{ units: string[] }> {
  return inTenant(async (t) => {
    const { process } = await loadForAction(t, id, viewer, 'send');
    const targetIds = [...new Set(input.unitIds.map(String))];
    const fields: Record<string, string> = {};
    if (!targetIds.length) fields.units = 'Escolha ao menos uma unidade de destino.';
    if (targetIds.includes(String(viewer.unitId))) fields.units = 'A unidade atual não pode ser destino do envio.';
    if (input.expectedReturn && input.expectedReturn < opts.today) fields.expectedReturn = 'O retorno programado não pode ser uma data passada.';
    const targets = targetIds.length
      ? await Unit.findAll({ where: { id: { [Op.in]: targetIds.filter((u) => /^[0-9]+$/.test(u)) }, active: true }, order: [['acronym', 'ASC']], transaction: t })
      : [];
    if (targetIds.length && targets.length !== targetIds.length) fields.units = 'Uma das unidades escolhidas não existe ou está inativa.';
    if (Object.keys(fields).length) throw new ValidationError('Corrija os campos indicados.', fields);
    const processId = String(process.id);
    await lockInboxCounts(t, [String(viewer.unitId), ...targets.map((u) => String(u.id))]);
    for (const unit of targets) {
      await execute(
        t,
        `INSERT INTO process_units (process_id, unit_id, list, open, unread, arrived_at, sent_from_unit_id, expected_return)
         VALUES ($1, $2, 'received', true, true, now(), $3, $4)
         ON CONFLICT (process_id, unit_id) DO UPDATE SET
           list = 'received', open = true, unread = true, arrived_at = now(), sent_from_unit_id = EXCLUDED.sent_from_unit_id,
           expected_return = EXCLUDED.expected_return, received_at = NULL, received_by_id = NULL,
           assigned_user_id = NULL, concluded_at = NULL, concluded_by_id = NULL`,
        [processId, unit.id, viewer.unitId, input.expectedReturn],
      );
    }
    if (!input.keepOpen) {
      await ProcessUnit.update(
        { open: false, concludedAt: new Date(), concludedById: viewer.userId, assignedUserId: null },
        { where: { processId, unitId: viewer.unitId }, transaction: t },
      );
    }
    const acronyms = targets.map((u) => u.acronym);
    await recordEvent(t, processId, viewer, {
      kind: 'sent',
      description:
        `Processo enviado para ${acronyms.length > 1 ? 'as unidades' : 'a unidade'} ${acronyms.join(', ')}` +
        (input.expectedReturn ? `, com retorno programado para ${input.expectedReturn.split('-').reverse().join('/')}` : '') +
        (input.keepOpen ? ' (mantido aberto na unidade)' : ''),
      details: { unitIds: targets.map((u) => String(u.id)), keepOpen: input.keepOpen, expectedReturn: input.expectedReturn },
    });
    if (!input.keepOpen) {
      await recordEvent(t, processId, viewer, { kind: 'concluded', description: 'Processo concluído na unidade (enviado sem manter aberto)', summary: false });
    }
    if (input.notify) {
      const recipients = await select<{ email: string; name: string; acronym: string }>(
        t,
        `SELECT DISTINCT ON (u.email) u.email, u.name, un.acronym
           FROM user_units uu JOIN users u ON u.id = uu.user_id JOIN units un ON un.id = uu.unit_id
          WHERE uu.unit_id = ANY ($1::bigint[]) AND u.active
          ORDER BY u.email, un.acronym`,
        [targets.map((u) => String(u.id))],
      );
      const tenant = requireTenant();
      for (const r of recipients) {
        await enqueueMail({
          to: r.email,
          subject: `Processo ${process.number} recebido na unidade ${r.acronym}`,
          template: 'notice',
          tenantId: tenant.id,
          data: {
            greeting: `Olá, ${r.name}.`,
            message: `O processo ${process.number} foi enviado para a unidade ${r.acronym} ${withArticle('de', tenant)}.`,
            link: opts.processUrl(processId),
            linkLabel: 'Abrir o processo',
          },
        });
      }
    }
    return { units: acronyms };
  });
}
