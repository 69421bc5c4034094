import crypto from 'node:crypto';
import { Op } from 'sequelize';
import { AdhesionRequest, AdhesionToken, type AdhesionTokenPurpose } from '../models';

/** Resume links live a month (a draft may wait for a signature); confirmation links two days. */
export const ADHESION_TOKEN_TTL_HOURS: Record<AdhesionTokenPurpose, number> = { resume: 30 * 24, confirm: 48 };

const FORMAT = /^[A-Za-z0-9_-]{20,100}$/;

function digest(raw: string): string {
  return crypto.createHash('sha256').update(raw).digest('hex');
}

/** Issues a link token for a request (only its hash is stored), in the caller's transaction. */
export async function issueAdhesionToken(requestId: string, purpose: AdhesionTokenPurpose, email: string): Promise<string> {
  const raw = crypto.randomBytes(32).toString('base64url');
  await AdhesionToken.create({
    requestId,
    purpose,
    email,
    tokenHash: digest(raw),
    expiresAt: new Date(Date.now() + ADHESION_TOKEN_TTL_HOURS[purpose] * 3600_000),
  });
  return raw;
}

/** The request a still-valid, unused token points to, with the token; null otherwise. */
export async function findAdhesionToken(
  raw: string,
  purpose: AdhesionTokenPurpose,
): Promise<{ token: AdhesionToken; request: AdhesionRequest } | null> {
  if (!FORMAT.test(raw)) return null;
  const token = await AdhesionToken.findOne({
    where: { tokenHash: digest(raw), purpose, usedAt: null, expiresAt: { [Op.gt]: new Date() } },
  });
  if (!token) return null;
  const request = await AdhesionRequest.findByPk(token.requestId);
  return request ? { token, request } : null;
}
