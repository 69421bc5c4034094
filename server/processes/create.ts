import { UniqueConstraintError, type Transaction } from 'sequelize';
import { execute, select } from '../db/sql';
import { ConflictError, ValidationError } from '../errors';
import {
  LegalBasis,
  Process,
  ProcessParty,
  ProcessType,
  ProcessUnit,
  Tenant,
  type AccessLevel,
  type NumberingScheme,
  type SecrecyGrade,
} from '../models';
import { inTenant, requireTenant } from '../tenancy/context';
import { ACCESS_LEVEL_LABELS } from './accessLevels';
import { recordEvent, type Actor } from './events';
import { buildNumber, numberingYear, parseInformedNumber } from './numbering';
import { checkPartyDocument } from './partyDocument';

export interface PartyInput {
  name: string;
  document?: string | null;
}

/** The fields of a process a user fills in, when starting it and when altering it. */
export interface ProcessFields {
  processTypeId: string;
  specification: string;
  parties: PartyInput[];
  accessLevel: AccessLevel;
  legalBasisId?: string | null;
  secrecyGrade?: SecrecyGrade | null;
}

export interface NewProcessInput extends ProcessFields {
  /** An older process's number, registered instead of generating one. */
  informedNumber?: string | null;
}

export interface CreatedProcess {
  id: string;
  number: string;
}


/** The nearest protocolizing unit: the unit itself or its closest ancestor with a protocol code. */
export async function protocolCodeFor(t: Transaction, unitId: string): Promise<string | null> {
  const rows = await select<{ protocol_code: string }>(
    t,
    `WITH RECURSIVE up AS (
       SELECT id, parent_id, protocol_code, 0 AS depth FROM units WHERE id = $1
       UNION ALL
       SELECT u.id, u.parent_id, u.protocol_code, up.depth + 1 FROM units u JOIN up ON u.id = up.parent_id WHERE up.depth < 50
     )
     SELECT protocol_code FROM up WHERE protocol_code IS NOT NULL ORDER BY depth LIMIT 1`,
    [unitId],
  );
  return rows[0]?.protocol_code ?? null;
}

/**
 * The numbering code of a unit: NUP uses the 5-digit protocol code; NIPE uses the tenant's 2-digit
 * IBGE state code (from the platform registry) followed by OOOUUU, which this tenant derives from the
 * same protocol code left-padded to 6 digits (docs/decisions/process-numbering.md).
 */
async function numberingCode(t: Transaction, scheme: NumberingScheme, unitId: string): Promise<string> {
  const protocolCode = await protocolCodeFor(t, unitId);
  if (!protocolCode) {
    throw new ValidationError('A unidade atual não tem unidade protocolizadora (código de protocolo) acima dela: peça ao administrador para configurar um.');
  }
  if (scheme === 'nup') return protocolCode;
  const tenant = await Tenant.findByPk(requireTenant().id, { attributes: ['id', 'ibgeCode'], transaction: t });
  const uf = tenant?.ibgeCode?.slice(0, 2);
  if (!uf || !/^[0-9]{2}$/.test(uf)) throw new ValidationError('O ente não tem código IBGE: a numeração NIPE não pode ser gerada.');
  return `${uf}${protocolCode.padStart(6, '0')}`;
}

/** Takes the next sequence value for (scheme, code, year), locking its row until the transaction ends. */
async function nextSequence(t: Transaction, scheme: NumberingScheme, code: string, year: number): Promise<number> {
  const [row] = await select<{ last: number }>(
    t,
    `INSERT INTO process_number_sequences (scheme, code, year, last) VALUES ($1, $2, $3, 1)
     ON CONFLICT (scheme, code, year) DO UPDATE SET last = process_number_sequences.last + 1
     RETURNING last`,
    [scheme, code, year],
  );
  return Number(row.last);
}

async function numberTaken(t: Transaction, digits: string): Promise<boolean> {
  return (await Process.count({ where: { numberDigits: digits }, transaction: t })) > 0;
}

interface ValidatedInput {
  type: ProcessType;
  specification: string;
  accessLevel: AccessLevel;
  legalBasisId: string | null;
  secrecyGrade: SecrecyGrade | null;
  parties: { name: string; document: string | null }[];
}

/** The rules shared by creating and altering a process (type, access level, legal basis, parties). */
export async function validateProcessFields(
  t: Transaction,
  input: Omit<NewProcessInput, 'informedNumber'>,
): Promise<ValidatedInput> {
  const fields: Record<string, string> = {};
  const type = await ProcessType.findOne({ where: { id: input.processTypeId, active: true }, transaction: t });
  if (!type) fields.processTypeId = 'Escolha um tipo de processo ativo.';
  const specification = input.specification.trim();
  if (!specification) fields.specification = 'Informe a especificação.';
  else if (specification.length > 100) fields.specification = 'A especificação tem no máximo 100 caracteres.';
  if (type && !type.allowedAccessLevels.includes(input.accessLevel)) {
    fields.accessLevel = `O tipo "${type.name}" não admite o nível de acesso ${ACCESS_LEVEL_LABELS[input.accessLevel]}.`;
  }
  let legalBasisId: string | null = null;
  if (input.accessLevel !== 'public') {
    const basis = input.legalBasisId
      ? await LegalBasis.findOne({ where: { id: input.legalBasisId, active: true }, transaction: t })
      : null;
    if (!basis) fields.legalBasisId = 'Escolha a hipótese legal do acesso restrito ou sigiloso.';
    else legalBasisId = String(basis.id);
  }
  const secrecyGrade = input.accessLevel === 'secret' ? (input.secrecyGrade ?? null) : null;
  if (input.accessLevel === 'secret' && !secrecyGrade) fields.secrecyGrade = 'Escolha o grau de sigilo.';
  const parties: { name: string; document: string | null }[] = [];
  const seen = new Set<string>();
  input.parties.forEach((p, i) => {
    const name = p.name.trim().replace(/\s+/g, ' ');
    const doc = checkPartyDocument(p.document);
    if (!name) {
      if (p.document?.trim()) fields[`partyName${i}`] = 'Informe o nome do interessado.';
      return;
    }
    if (name.length > 250) fields[`partyName${i}`] = 'O nome tem no máximo 250 caracteres.';
    if (!doc.ok) fields[`partyDocument${i}`] = doc.message;
    else {
      const key = doc.document ?? `name:${name.toLowerCase()}`;
      if (!seen.has(key)) parties.push({ name, document: doc.document });
      seen.add(key);
    }
  });
  if (!parties.length && !Object.keys(fields).some((f) => f.startsWith('party'))) {
    fields.partyName0 = 'Informe ao menos um interessado.';
  }
  if (Object.keys(fields).length) throw new ValidationError('Corrija os campos indicados.', fields);
  return { type: type!, specification, accessLevel: input.accessLevel, legalBasisId, secrecyGrade, parties };
}

/** Finds or creates the tenant's interessado: by CPF/CNPJ when given, else by name without document. */
export async function upsertParty(t: Transaction, party: { name: string; document: string | null }): Promise<string> {
  const sql = party.document
    ? `INSERT INTO parties (name, document, created_at, updated_at) VALUES ($1, $2, now(), now())
       ON CONFLICT (document) WHERE document IS NOT NULL DO UPDATE SET name = EXCLUDED.name, updated_at = now()
       RETURNING id`
    : `INSERT INTO parties (name, document, created_at, updated_at) VALUES ($1, NULL, now(), now())
       ON CONFLICT (lower(name)) WHERE document IS NULL DO UPDATE SET updated_at = now()
       RETURNING id`;
  const bind = party.document ? [party.name, party.document] : [party.name];
  const [row] = await select<{ id: string }>(t, sql, bind);
  return String(row.id);
}

export async function setProcessParties(t: Transaction, processId: string, parties: { name: string; document: string | null }[]): Promise<void> {
  await ProcessParty.destroy({ where: { processId }, transaction: t });
  let position = 0;
  for (const p of parties) {
    const partyId = await upsertParty(t, p);
    await ProcessParty.create({ processId, partyId, position: position++ }, { transaction: t });
  }
}

/**
 * "Iniciar processo": validates, numbers (generated under a locked sequence row, or informed and
 * validated), creates the process open in the creator's unit with its interessados and first
 * andamento, and counts it in the platform figures — all in the current tenant transaction.
 */
export async function createProcess(
  input: NewProcessInput,
  actor: Actor,
  scheme: NumberingScheme,
  now: Date = new Date(),
): Promise<CreatedProcess> {
  return inTenant(async (t) => {
    const valid = await validateProcessFields(t, input);
    let digits: string;
    let formatted: string;
    let numbering: 'nup' | 'nipe' | 'informed';
    let year: number;
    if (input.informedNumber?.trim()) {
      const parsed = parseInformedNumber(input.informedNumber, numberingYear(now));
      if (!parsed.ok) throw new ValidationError('Corrija os campos indicados.', { informedNumber: parsed.message });
      if (await numberTaken(t, parsed.digits)) {
        throw new ValidationError('Corrija os campos indicados.', { informedNumber: 'Já existe um processo com este número.' });
      }
      ({ digits, formatted, year } = parsed);
      numbering = 'informed';
    } else {
      const code = await numberingCode(t, scheme, actor.unitId);
      year = numberingYear(now);
      numbering = scheme;
      // An informed number may already occupy a sequence value: take the next one (still locked).
      for (;;) {
        const sequence = await nextSequence(t, scheme, code, year);
        ({ digits, formatted } = buildNumber({ format: scheme, code, sequence, year }));
        if (!(await numberTaken(t, digits))) break;
      }
    }
    let process: Process;
    try {
      process = await Process.create(
        {
          number: formatted,
          numberDigits: digits,
          numbering,
          year,
          processTypeId: String(valid.type.id),
          specification: valid.specification,
          accessLevel: valid.accessLevel,
          legalBasisId: valid.legalBasisId,
          secrecyGrade: valid.secrecyGrade,
          originUnitId: actor.unitId,
          createdById: actor.userId,
        },
        { transaction: t },
      );
    } catch (err) {
      if (err instanceof UniqueConstraintError) throw new ConflictError('Já existe um processo com este número.');
      throw err;
    }
    const processId = String(process.id);
    await setProcessParties(t, processId, valid.parties);
    await ProcessUnit.create(
      { processId, unitId: actor.unitId, list: 'created', open: true, unread: false, sentFromUnitId: null },
      { transaction: t },
    );
    if (valid.accessLevel === 'secret') {
      await execute(t, 'INSERT INTO access_credentials (process_id, user_id, granted_by_id) VALUES ($1, $2, $2)', [processId, actor.userId]);
    }
    await recordEvent(t, processId, actor, {
      kind: 'created',
      description: numbering === 'informed' ? `Processo registrado com o número informado ${formatted}` : `Processo gerado: ${valid.type.name}`,
      details: { number: formatted, numbering },
    });
    await execute(t, 'UPDATE platform.tenant_figures SET processes = processes + 1 WHERE tenant_id = $1', [requireTenant().id]);
    return { id: processId, number: formatted };
  });
}

/** How many processes are open in a unit (the "deactivate unit" rule refuses while it is not 0). */
export async function openProcessCountInUnit(unitId: string): Promise<number> {
  return inTenant((t) => ProcessUnit.count({ where: { unitId, open: true }, transaction: t }));
}

/** Where a user sees the processes open in a unit (the Controle de processos of that unit). */
export function openProcessesUrl(unitId: string): string {
  return `/?unidade=${encodeURIComponent(unitId)}`;
}
