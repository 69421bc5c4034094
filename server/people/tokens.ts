import crypto from 'node:crypto';
import { Op } from 'sequelize';
import { User, UserToken, type UserTokenPurpose } from '../models';
import { inTenant } from '../tenancy/context';

export const TOKEN_TTL_HOURS: Record<UserTokenPurpose, number> = { invite: 72, reset: 2 };

function digest(raw: string): string {
  return crypto.createHash('sha256').update(raw).digest('hex');
}

/** Issues a single-use link token for a user of the current tenant; only its hash is stored. */
export async function issueUserToken(userId: string, purpose: UserTokenPurpose): Promise<string> {
  const raw = crypto.randomBytes(32).toString('base64url');
  await inTenant(() =>
    UserToken.create({
      userId,
      purpose,
      tokenHash: digest(raw),
      expiresAt: new Date(Date.now() + TOKEN_TTL_HOURS[purpose] * 3600_000),
    }),
  );
  return raw;
}

/** The user a still-valid token belongs to (without using it up), or null. */
export async function peekUserToken(raw: string): Promise<{ token: UserToken; user: User } | null> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(raw)) return null;
  return inTenant(async () => {
    const token = await UserToken.findOne({ where: { tokenHash: digest(raw), usedAt: null, expiresAt: { [Op.gt]: new Date() } } });
    const user = token ? await User.findByPk(token.userId) : null;
    return token && user && user.active ? { token, user } : null;
  });
}

/**
 * Uses a token up, inside the caller's tenant transaction, with the row locked: two concurrent
 * uses of the same link succeed once. Returns the user, or null when invalid, used or expired.
 */
export async function consumeUserToken(raw: string): Promise<User | null> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(raw)) return null;
  return inTenant(async (t) => {
    const token = await UserToken.findOne({
      where: { tokenHash: digest(raw), usedAt: null, expiresAt: { [Op.gt]: new Date() } },
      lock: t.LOCK.UPDATE,
    });
    if (!token) return null;
    const user = await User.findByPk(token.userId);
    if (!user || !user.active) return null;
    await token.update({ usedAt: new Date() });
    // Any other open link of the same user stops working too.
    await UserToken.update({ usedAt: new Date() }, { where: { userId: user.id, usedAt: null } });
    return user;
  });
}

/** Spends the link and sets the password it was sent for, in one transaction; null when the link is not valid. */
export async function setPasswordByToken(raw: string, passwordHash: string): Promise<User | null> {
  return inTenant(async () => {
    const u = await consumeUserToken(raw);
    if (u) await u.update({ passwordHash });
    return u;
  });
}
