import { Op } from 'sequelize';
import { logger } from '../logger';
import { Tenant } from '../models';
import { runWithTenant, tenantRef } from '../tenancy/context';
import { recordTacitAcknowledgements } from './intimations';
import { expireAmendments } from './triage';

/**
 * The Protocolo's background work, run by the worker on a timer: each active tenant in its own
 * transaction (a failing tenant does not stop the others). Idempotent: what is due is read from the
 * stored deadlines, so a restart or a second worker does the same work at most once.
 */
export async function runProtocolJobs(now = new Date()): Promise<{ expired: number; tacit: number }> {
  const tenants = await Tenant.findAll({ where: { status: 'active', slug: { [Op.ne]: null } }, attributes: ['id', 'slug', 'name'] });
  let expired = 0;
  let tacit = 0;
  for (const t of tenants) {
    try {
      const ref = tenantRef(t);
      expired += await runWithTenant(ref, () => expireAmendments(now));
      // Ciência tácita of the intimações whose period ended (their stored deadlines).
      tacit += await runWithTenant(ref, () => recordTacitAcknowledgements(now));
    } catch (err) {
      logger.error({ err, tenantId: String(t.id) }, 'falha nas tarefas do Protocolo');
    }
  }
  return { expired, tacit };
}
