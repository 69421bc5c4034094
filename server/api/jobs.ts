import { Op } from 'sequelize';
import { logger } from '../logger';
import { Tenant } from '../models';
import { runWithTenant, tenantRef } from '../tenancy/context';
import { purgeIdempotencyKeys } from './idempotency';

/**
 * The integration API's background work, run by the worker on a timer: Idempotency-Keys past
 * IDEMPOTENCY_KEY_HOURS are deleted in every tenant that is not closed, each in its own transaction
 * (a failing tenant does not stop the others). Safe to run twice or from two workers.
 */
export async function runApiJobs(): Promise<{ purged: number }> {
  const tenants = await Tenant.findAll({ where: { status: { [Op.in]: ['active', 'suspended'] }, slug: { [Op.ne]: null } }, attributes: ['id', 'slug', 'name'] });
  let purged = 0;
  for (const t of tenants) {
    try {
      purged += await runWithTenant(tenantRef(t), () => purgeIdempotencyKeys());
    } catch (err) {
      logger.error({ err, tenantId: String(t.id) }, 'falha ao apagar Idempotency-Keys vencidas');
    }
  }
  return { purged };
}
