import { externalTransitOf } from '../tramita/transit';
import { preparedSelect, select } from '../db/sql';
import { isId } from '../documents/ids';
import { NotFoundError } from '../errors';
import type { AccessLevel } from '../models';
import { inTenant } from '../tenancy/context';
import { effectiveLevelSql, findableSql, readableSql, type Viewer } from './access';
import { recordEvent } from './events';
import { formatCpfCnpj } from '../formatting';
import { allowedActions, type ProcessAction, type ProcessState } from './rules';

/**
 * Everything the process page shows, in few round trips: one statement for the process with its
 * facts (access, units, parties, relations, annexes, credentials, the unit's users), the receipt
 * when this is the first opening in the unit, and one statement for the history.
 */

export interface ProcessPage {
  id: string;
  number: string;
  typeName: string;
  processTypeId: string;
  specification: string;
  accessLevel: AccessLevel;
  /** The most restrictive level among the process and its documents. */
  effectiveLevel: AccessLevel;
  legalBasis: string | null;
  legalBasisId: string | null;
  secrecyGrade: string | null;
  originUnit: string;
  createdAt: Date;
  suspendedReason: string | null;
  annexedTo: { id: string; number: string } | null;
  canRead: boolean;
  state: ProcessState;
  actions: Record<ProcessAction, boolean>;
  parties: { name: string; document: string }[];
  openUnits: { acronym: string; name: string }[];
  here: { assignedUserId: string | null; assignedName: string | null; expectedReturn: string | null; receivedAt: Date | null; receivedBy: string | null } | null;
  relations: { id: string; number: string }[];
  annexes: { id: string; number: string }[];
  credentials: { id: string; userId: string; name: string; email: string; grantedAt: Date }[];
  unitUsers: { id: string; name: string }[];
  events: { createdAt: Date; unit: string; user: string | null; description: string; summary: boolean }[];
  receivedNow: boolean;
}

interface Raw {
  id: string;
  number: string;
  process_type_id: string;
  type_name: string;
  specification: string;
  access_level: AccessLevel;
  effective_level: AccessLevel;
  legal_basis_id: string | null;
  legal_basis: string | null;
  secrecy_grade: string | null;
  origin_unit: string;
  created_at: Date;
  suspended_reason: string | null;
  annexed_to: { id: string; number: string } | null;
  annexed: boolean;
  credentialed: boolean;
  findable: boolean;
  readable: boolean;
  units: { unit_id: string; acronym: string; name: string; open: boolean; unread: boolean; assigned_user_id: string | null; assigned_name: string | null; expected_return: string | null; received_at: string | null; received_by: string | null }[];
  parties: { name: string; document: string | null }[] | null;
  relations: { id: string; number: string }[] | null;
  annexes: { id: string; number: string }[] | null;
  credentials: { id: string; user_id: string; name: string; email: string; granted_at: string }[] | null;
  unit_users: { id: string; name: string }[] | null;
}

const PAGE_SQL = `
SELECT p.id, p.number, p.process_type_id, pt.name AS type_name, p.specification, p.access_level,
       p.legal_basis_id, lb.name || ' (' || lb.basis || ')' AS legal_basis, p.secrecy_grade, ou.acronym AS origin_unit,
       p.created_at, p.suspended_reason,
       (SELECT json_build_object('id', a.id::text, 'number', a.number) FROM processes a WHERE a.id = p.annexed_to_id AND ${findableSql('$2', 'a')}) AS annexed_to,
       p.annexed_to_id IS NOT NULL AS annexed,
       EXISTS (SELECT 1 FROM access_credentials c WHERE c.process_id = p.id AND c.user_id = $2 AND c.revoked_at IS NULL) AS credentialed,
       ${effectiveLevelSql('p')} AS effective_level,
       ${findableSql('$2')} AS findable, ${readableSql('p', '$2', '$3')} AS readable,
       (SELECT coalesce(json_agg(json_build_object('unit_id', pu.unit_id::text, 'acronym', un.acronym, 'name', un.name, 'open', pu.open,
                 'unread', pu.unread, 'assigned_user_id', pu.assigned_user_id::text, 'assigned_name', au.name,
                 'expected_return', pu.expected_return::text, 'received_at', pu.received_at, 'received_by', ru.name) ORDER BY un.acronym), '[]')
          FROM process_units pu JOIN units un ON un.id = pu.unit_id
          LEFT JOIN users au ON au.id = pu.assigned_user_id LEFT JOIN users ru ON ru.id = pu.received_by_id
         WHERE pu.process_id = p.id) AS units,
       (SELECT json_agg(json_build_object('name', pa.name, 'document', pa.document) ORDER BY pp.position)
          FROM process_parties pp JOIN parties pa ON pa.id = pp.party_id WHERE pp.process_id = p.id) AS parties,
       (SELECT json_agg(json_build_object('id', o.id::text, 'number', o.number) ORDER BY o.number)
          FROM process_relations r JOIN processes o ON o.id = CASE WHEN r.process_id = p.id THEN r.related_process_id ELSE r.process_id END
         WHERE (r.process_id = p.id OR r.related_process_id = p.id) AND ${findableSql('$2', 'o')}) AS relations,
       (SELECT json_agg(json_build_object('id', a.id::text, 'number', a.number) ORDER BY a.annexed_at)
          FROM processes a WHERE a.annexed_to_id = p.id AND ${findableSql('$2', 'a')}) AS annexes,
       (SELECT json_agg(json_build_object('id', c.id::text, 'user_id', c.user_id::text, 'name', u.name, 'email', u.email, 'granted_at', c.granted_at) ORDER BY u.name)
          FROM access_credentials c JOIN users u ON u.id = c.user_id
         WHERE p.access_level = 'secret' AND c.process_id = p.id AND c.revoked_at IS NULL) AS credentials,
       (SELECT json_agg(json_build_object('id', u.id::text, 'name', u.name) ORDER BY u.name)
          FROM users u WHERE u.active AND u.id IN (SELECT uu.user_id FROM user_units uu WHERE uu.unit_id = $3)) AS unit_users
  FROM processes p
  JOIN process_types pt ON pt.id = p.process_type_id
  JOIN units ou ON ou.id = p.origin_unit_id
  LEFT JOIN legal_bases lb ON lb.id = p.legal_basis_id
 WHERE p.id = $1`;

const EVENTS_SQL = `
SELECT e.created_at, un.acronym AS unit, u.name AS user, e.description, e.summary
  FROM process_events e JOIN units un ON un.id = e.unit_id LEFT JOIN users u ON u.id = e.user_id
 WHERE e.process_id = $1
 ORDER BY e.id DESC`;

export async function processPage(id: string, viewer: Viewer): Promise<ProcessPage> {
  if (!isId(id)) throw new NotFoundError('Processo não encontrado.');
  return inTenant(async (t) => {
    const [raw] = await preparedSelect<Raw>(t, PAGE_SQL, [id, viewer.userId, viewer.unitId]);
    if (!raw) throw new NotFoundError('Processo não encontrado.');
    const units = raw.units;
    const hereRow = units.find((u) => u.unit_id === String(viewer.unitId)) ?? null;
    const access = { canFind: raw.findable, canRead: raw.readable };
    if (!access.canFind) throw new NotFoundError('Processo não encontrado.');
    const state: ProcessState = {
      accessLevel: raw.access_level,
      canRead: access.canRead,
      openHere: Boolean(hereRow?.open),
      passedThroughHere: Boolean(hereRow),
      openUnitCount: units.filter((u) => u.open).length,
      suspended: raw.suspended_reason !== null,
      annexed: raw.annexed,
      credentialed: raw.credentialed,
      externalTransitTo: access.canRead ? ((await externalTransitOf(t, id))?.receiverName ?? null) : null,
    };
    let receivedNow = false;
    let here = hereRow
      ? { assignedUserId: hereRow.assigned_user_id, assignedName: hereRow.assigned_name, expectedReturn: hereRow.expected_return, receivedAt: hereRow.received_at ? new Date(hereRow.received_at) : null, receivedBy: hereRow.received_by }
      : null;
    if (access.canRead && hereRow?.open && hereRow.unread) {
      const rows = await select<{ received_at: Date }>(
        t,
        `UPDATE process_units SET unread = false, received_at = now(), received_by_id = $3
          WHERE process_id = $1 AND unit_id = $2 AND unread AND open RETURNING received_at`,
        [id, viewer.unitId, viewer.userId],
      );
      if (rows.length) {
        await recordEvent(t, id, viewer, { kind: 'received', description: 'Processo recebido na unidade' });
        receivedNow = true;
        here = { ...here!, receivedAt: rows[0].received_at, receivedBy: null };
      }
    }
    const events = access.canRead
      ? await preparedSelect<{ created_at: Date; unit: string; user: string | null; description: string; summary: boolean }>(t, EVENTS_SQL, [id])
      : [];
    const canRead = access.canRead;
    return {
      id: String(raw.id),
      number: raw.number,
      typeName: raw.type_name,
      processTypeId: String(raw.process_type_id),
      specification: canRead ? raw.specification : '',
      accessLevel: raw.access_level,
      effectiveLevel: raw.effective_level,
      legalBasis: raw.legal_basis,
      legalBasisId: raw.legal_basis_id ? String(raw.legal_basis_id) : null,
      secrecyGrade: raw.secrecy_grade,
      originUnit: raw.origin_unit,
      createdAt: raw.created_at,
      // The reason can carry personal data: only who may read the process sees it (issue 12, item 3).
      suspendedReason: canRead ? raw.suspended_reason : null,
      annexedTo: raw.annexed_to,
      canRead,
      state,
      actions: allowedActions(state),
      parties: canRead ? (raw.parties ?? []).map((p) => ({ name: p.name, document: p.document ? formatCpfCnpj(p.document) : '' })) : [],
      openUnits: units.filter((u) => u.open).map((u) => ({ acronym: u.acronym, name: u.name })),
      here,
      relations: canRead ? (raw.relations ?? []) : [],
      annexes: canRead ? (raw.annexes ?? []) : [],
      credentials: canRead ? (raw.credentials ?? []).map((c) => ({ id: c.id, userId: c.user_id, name: c.name, email: c.email, grantedAt: new Date(c.granted_at) })) : [],
      unitUsers: raw.unit_users ?? [],
      events: events.map((e) => ({ createdAt: e.created_at, unit: e.unit, user: e.user, description: e.description, summary: e.summary })),
      receivedNow,
    };
  });
}
