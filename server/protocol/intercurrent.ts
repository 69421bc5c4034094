import { Op, type Transaction } from 'sequelize';
import type { Config } from '../config';
import { select } from '../db/sql';
import { createExternalDocument } from '../documents/service';
import { NotFoundError, PermissionDeniedError, ValidationError } from '../errors';
import { enqueueMail } from '../mail/outbox';
import { CitizenRequest, CitizenRequestEvent, CitizenService, DocumentType, ProcessEvent } from '../models';
import { todayInSaoPaulo } from '../processes/dates';
import type { Actor } from '../web/actor';
import { inTenant, requireTenant } from '../tenancy/context';
import { tenantUrl } from '../tenancy/urls';
import { markIntimationsResponded } from './intimations';
import type { CheckedDocument } from './requestValidation';

/**
 * Peticionamento intercorrente: the citizen of a request converted into a process, who is an
 * interessado of that process (their CPF among its parties), adds documents to it from the
 * follow-up page (number + code proved the request). Each document arrives as an external document
 * (nato-digital, the citizen as sender, no staff author) of the unit that holds the process, with an
 * andamento; that unit's users are e-mailed; acknowledged intimações become "respondida". One
 * transaction: the bytes, the documents, the andamentos and the e-mails, or nothing.
 */

/** The units where the process is open (the newest arrival first), else the last one it was in. */
async function holdingUnits(t: Transaction, processId: string): Promise<{ id: string; acronym: string }[]> {
  const open = await select<{ id: string; acronym: string }>(
    t,
    'SELECT u.id::text, u.acronym FROM process_units pu JOIN units u ON u.id = pu.unit_id WHERE pu.process_id = $1 AND pu.open ORDER BY pu.arrived_at DESC, u.id',
    [processId],
  );
  if (open.length) return open;
  return select<{ id: string; acronym: string }>(t, 'SELECT u.id::text, u.acronym FROM process_units pu JOIN units u ON u.id = pu.unit_id WHERE pu.process_id = $1 ORDER BY pu.arrived_at DESC LIMIT 1', [processId]);
}

/** The process a request's citizen may file into, or null (not converted, or not an interessado). */
export async function intercurrentTarget(t: Transaction, r: CitizenRequest): Promise<{ id: string; number: string } | null> {
  if (r.status !== 'converted' || !r.processId) return null;
  const [row] = await select<{ id: string; number: string }>(
    t,
    `SELECT p.id::text, p.number FROM processes p
      WHERE p.id = $1 AND EXISTS (SELECT 1 FROM process_parties pp JOIN parties pa ON pa.id = pp.party_id WHERE pp.process_id = p.id AND pa.document = $2)`,
    [r.processId, r.citizenCpf],
  );
  return row ?? null;
}

async function externalTypeId(t: Transaction): Promise<string> {
  const type =
    (await DocumentType.findOne({ where: { name: 'Petição', active: true, usage: { [Op.in]: ['external', 'both'] } }, transaction: t })) ??
    (await DocumentType.findOne({ where: { name: 'Requerimento', active: true, usage: { [Op.in]: ['external', 'both'] } }, transaction: t })) ??
    (await DocumentType.findOne({ where: { active: true, usage: { [Op.in]: ['external', 'both'] } }, order: [['id', 'ASC']], transaction: t }));
  if (!type) throw new ValidationError('Não foi possível receber os documentos agora.', { documentos: 'O órgão não tem tipo de documento externo ativo. Tente mais tarde ou procure o atendimento.' });
  return String(type.id);
}

export async function fileIntercurrent(config: Config, requestId: string, files: CheckedDocument[], description: string, now = new Date()): Promise<{ processNumber: string; documents: number }> {
  if (!files.length) throw new ValidationError('Corrija os campos indicados.', { documentos: 'Escolha pelo menos um documento.' });
  return inTenant(async (t) => {
    const r = await CitizenRequest.findByPk(requestId, { transaction: t, lock: t.LOCK.UPDATE });
    if (!r || r.status === 'draft') throw new NotFoundError('Solicitação não encontrada.');
    const process = await intercurrentTarget(t, r);
    if (!process) throw new PermissionDeniedError('Só o interessado de um processo aberto a partir desta solicitação pode juntar documentos a ele.');
    const [unit] = await holdingUnits(t, process.id);
    if (!unit) throw new NotFoundError('Processo não encontrado.');
    // The citizen has no staff account: the documents are the holding unit's, authored by nobody, sent by the citizen.
    const citizen = { userId: null, name: r.citizenName, unitId: unit.id, unitAcronym: unit.acronym } as unknown as Actor;
    const typeId = await externalTypeId(t);
    // The service's level and legal basis, as its conversion gave the request's documents.
    const service = await CitizenService.findByPk(r.serviceId, { transaction: t });
    const access = service && service.accessLevel === 'public' ? { accessLevel: 'public' as const, legalBasisId: null } : { accessLevel: 'restricted' as const, legalBasisId: service?.legalBasisId ?? null };
    const date = todayInSaoPaulo(now);
    const numbers: string[] = [];
    for (const f of files) {
      const doc = await createExternalDocument(citizen, process.id, {
        documentTypeId: typeId,
        complement: description ? description.slice(0, 100) : 'Peticionamento intercorrente',
        ...access,
        documentDate: date,
        origin: 'nato_digital',
        sender: r.citizenName,
        file: { buffer: f.bytes, originalname: f.fileName },
      });
      numbers.push(doc.number);
    }
    const text = `Peticionamento intercorrente de ${r.citizenName} pelo portal do Protocolo: ${numbers.length} documento(s) (${numbers.join(', ')})`;
    await ProcessEvent.create({ processId: process.id, unitId: unit.id, userId: null, kind: 'citizen_intercurrent_filing', description: text, summary: true, details: { requestId, documents: numbers } }, { transaction: t });
    await CitizenRequestEvent.create({ requestId, kind: 'intercurrent_filing', description: `${numbers.length} documento(s) juntado(s) ao processo nº ${process.number}`, userId: null }, { transaction: t });
    await markIntimationsResponded(t, requestId, now);
    const tenant = requireTenant();
    const recipients = await select<{ email: string; name: string; acronym: string }>(
      t,
      `SELECT DISTINCT ON (u.email) u.email, u.name, un.acronym FROM user_units uu JOIN users u ON u.id = uu.user_id JOIN units un ON un.id = uu.unit_id
        WHERE uu.unit_id = $1 AND u.active ORDER BY u.email`,
      [unit.id],
    );
    for (const to of recipients) {
      await enqueueMail({
        to: to.email,
        subject: `Processo ${process.number}: novos documentos do interessado`,
        template: 'notice',
        tenantId: tenant.id,
        data: {
          greeting: `Olá, ${to.name}.`,
          message: `${r.citizenName}, interessado do processo ${process.number}, juntou ${numbers.length} documento(s) pelo portal do Protocolo. O processo está na unidade ${to.acronym}.`,
          link: tenantUrl(config, tenant.slug, `/processos/${process.id}`),
          linkLabel: 'Abrir o processo',
        },
      });
    }
    return { processNumber: process.number, documents: numbers.length };
  });
}
