import type { Config } from '../config';
import { enqueueMail } from '../mail/outbox';
import type { User } from '../models';
import { inTenant, requireTenant } from '../tenancy/context';
import { withArticle } from '../tenancy/grammar';
import { tenantUrl } from '../tenancy/urls';
import { issueUserToken, TOKEN_TTL_HOURS } from './tokens';

/**
 * E-mails a user of the current tenant a single-use, expiring link to set their password (an
 * invitation) or reset it. Token and message are written in the same tenant transaction.
 */
export async function sendPasswordLink(config: Config, user: User, purpose: 'invite' | 'reset'): Promise<void> {
  const tenant = requireTenant();
  await inTenant(async () => {
    const token = await issueUserToken(String(user.id), purpose);
    const link = tenantUrl(config, tenant.slug, `/definir-senha?token=${token}`);
    const invite = purpose === 'invite';
    await enqueueMail({
      tenantId: tenant.id,
      to: user.email,
      template: 'password-link',
      subject: invite ? `Convite para o processo eletrônico ${withArticle('de', tenant)}` : `Redefinição de senha — ${tenant.name}`,
      data: {
        name: user.name,
        tenantName: tenant.name,
        ofTenant: withArticle('de', tenant),
        invite,
        link,
        hours: TOKEN_TTL_HOURS[purpose],
      },
    });
  });
}
