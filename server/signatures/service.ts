import { ID_PATTERN } from '../documents/ids';
import { verifyPassword } from '../auth/passwords';
import { ConflictError, NotFoundError, PermissionDeniedError, ValidationError } from '../errors';
import { Document, Signature, UserPosition, User } from '../models';
import { inTenant, requireTenant } from '../tenancy/context';
import { readableProcess } from '../processes/access';
import { transitBlocker } from '../processes/rules';
import type { Actor } from '../web/actor';
import { recordDocumentEvent } from '../documents/history';
import { sha256Hex } from '../documents/storage';
import { computeCrc } from './codes';
import type { FailureThrottle } from '../auth/failureThrottle';

export class TooManySignatureAttemptsError extends PermissionDeniedError {
  status = 429;
}

export interface SignInput {
  signerTitleId: string;
  password: string;
}

/** The cargos/funções a user may sign under. */
export async function signerTitlesOf(userId: string): Promise<{ id: string; title: string }[]> {
  const rows = await inTenant((t) => UserPosition.findAll({ where: { userId, active: true }, order: [['title', 'ASC']], transaction: t }));
  return rows.map((r) => ({ id: String(r.id), title: r.title }));
}

/**
 * "Assinar": the user re-enters their password and picks a cargo/função. A wrong password signs
 * nothing and counts against the user (too many and signing is refused for a while). Anyone who may
 * read a signed document may co-sign it; a minuta only by its author unit.
 */
export async function signDocument(actor: Actor, documentId: string, input: SignInput, throttle: FailureThrottle): Promise<{ crc: string }> {
  const key = `${requireTenant().id}:${actor.userId}`;
  const wait = await throttle.blockedFor(key);
  if (wait) throw new TooManySignatureAttemptsError(`Muitas tentativas com senha incorreta. Tente assinar novamente em ${Math.ceil(wait / 60)} minuto(s).`);
  const user = await inTenant((t) => User.findByPk(actor.userId, { transaction: t }));
  if (!user?.active) throw new PermissionDeniedError('Usuário inativo.');
  if (!(await verifyPassword(user.passwordHash, input.password))) {
    await throttle.failed(key);
    throw new ValidationError('Senha incorreta.', { password: 'Senha incorreta: o documento não foi assinado.' });
  }
  await throttle.reset(key);
  return inTenant(async (t) => {
    const doc = ID_PATTERN.test(documentId) ? await Document.findOne({ where: { id: documentId, deletedAt: null }, transaction: t, lock: t.LOCK.UPDATE }) : null;
    if (!doc) throw new NotFoundError('Documento não encontrado.');
    const transit = transitBlocker(await readableProcess(t, actor, doc.processId));
    if (transit) throw new ConflictError(transit);
    if (doc.cancelledAt) throw new ConflictError('Documento cancelado não pode ser assinado.');
    const current = await Signature.findAll({ where: { documentId: doc.id, invalidatedAt: null }, transaction: t });
    if (doc.kind === 'internal' && !current.length && doc.unitId !== actor.unitId) throw new NotFoundError('Documento não encontrado.');
    if (current.some((s) => String(s.userId) === actor.userId)) throw new ConflictError('Você já assinou este documento.');
    const title = ID_PATTERN.test(input.signerTitleId)
      ? await UserPosition.findOne({ where: { id: input.signerTitleId, userId: actor.userId, active: true }, transaction: t })
      : null;
    if (!title) throw new ValidationError('Escolha o cargo ou função.', { signerTitleId: 'Escolha um dos seus cargos ou funções.' });
    const contentSha256 = doc.kind === 'internal' ? sha256Hex(doc.bodyHtml ?? '') : (doc.fileSha256 ?? '');
    const signature = await Signature.create(
      {
        documentId: String(doc.id),
        userId: actor.userId,
        unitId: actor.unitId,
        signerName: user.name,
        signerTitle: title.title,
        documentVersion: doc.version,
        contentSha256,
      },
      { transaction: t },
    );
    const crc = computeCrc(doc.verificationCode, contentSha256, [...current.map((s) => String(s.id)), String(signature.id)]);
    await doc.update({ crc }, { transaction: t });
    await recordDocumentEvent(t, actor, doc.processId, String(doc.id), 'document.signed', `Documento ${doc.title} (${doc.number}) assinado por ${user.name} (${title.title})`);
    return { crc };
  });
}
