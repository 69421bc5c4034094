import { createExternalDocument } from '../../server/documents/service';
import { DocumentType, UserPosition, type AccessLevel, type Document } from '../../server/models';
import { samplePdf } from './files';
import type { Actor } from '../../server/web/actor';
import { inTenant, runWithTenant } from '../../server/tenancy/context';
import { createProcessAs, idsOf, processInput, tenantQuery, type TenantIds } from './processes';
import type { TestTenant } from './tenants';
import type { NewProcessInput } from '../../server/processes/create';

export interface DocWorld {
  tt: TestTenant;
  ids: TenantIds;
  /** The clerk, working in SEGOV. */
  clerk: Actor;
  /** The admin, working in SMS (given a basic role there). */
  other: Actor;
  docTypes: Record<string, string>;
  titles: { clerk: string; other: string };
}

/** A tenant whose clerk (SEGOV) and admin (also in SMS) each have a cargo to sign under. */
export async function docWorld(tt: TestTenant): Promise<DocWorld> {
  const ids = await idsOf(tt);
  const clerkId = ids.users[tt.clerk.email];
  const adminId = ids.users[tt.admin.email];
  await tenantQuery(tt, "INSERT INTO user_units (user_id, unit_id, role) VALUES ($1, $2, 'basic') RETURNING id", [adminId, ids.units.SMS]);
  const [docTypes, titles] = await runWithTenant(tt.tenant, () =>
    inTenant(async () => {
      const types = await DocumentType.findAll();
      const a = await UserPosition.create({ userId: clerkId, title: 'Assessor Técnico' });
      const b = await UserPosition.create({ userId: adminId, title: 'Secretária Municipal de Saúde' });
      return [Object.fromEntries(types.map((d) => [d.name, String(d.id)])), { clerk: String(a.id), other: String(b.id) }] as const;
    }),
  );
  return {
    tt,
    ids,
    clerk: { userId: clerkId, name: 'Servidor de Teste', unitId: ids.units.SEGOV, unitAcronym: 'SEGOV' },
    other: { userId: adminId, name: 'Administradora de Teste', unitId: ids.units.SMS, unitAcronym: 'SMS' },
    docTypes,
    titles,
  };
}

export async function newProcess(w: DocWorld, overrides: Partial<NewProcessInput> = {}): Promise<{ id: string; number: string }> {
  return createProcessAs(w.tt, { userId: w.clerk.userId, unitId: w.clerk.unitId }, processInput(w.ids, overrides));
}

/** Puts the process in another unit as if it had been sent there (the sending feature is another issue's). */
export async function passThrough(w: DocWorld, processId: string, unitId: string): Promise<void> {
  await tenantQuery(
    w.tt,
    `INSERT INTO process_units (process_id, unit_id, list) VALUES ($1, $2, 'received')
     ON CONFLICT (process_id, unit_id) DO UPDATE SET open = true RETURNING process_id`,
    [processId, unitId],
  );
}

export function inWorld<T>(w: DocWorld, fn: () => Promise<T>): Promise<T> {
  return runWithTenant(w.tt.tenant, fn);
}

export interface AttachedPdf {
  complement?: string | null;
  accessLevel?: AccessLevel;
  legalBasisId?: string | null;
  documentDate?: string;
  fileName?: string;
}

/** Files an "Anexo" PDF (nato-digital, público unless told) in the process, as the world's clerk; `content` is the PDF's text or its bytes. */
export async function attachPdf(w: DocWorld, processId: string, content: string | Buffer, opts: AttachedPdf = {}): Promise<Document> {
  const buffer = typeof content === 'string' ? await samplePdf(content) : content;
  return inWorld(w, () =>
    createExternalDocument(w.clerk, processId, {
      documentTypeId: w.docTypes['Anexo'], complement: opts.complement ?? null, documentDate: opts.documentDate ?? '2026-11-30', origin: 'nato_digital', sender: null,
      accessLevel: opts.accessLevel ?? 'public', legalBasisId: opts.legalBasisId ?? null, file: { buffer, originalname: opts.fileName ?? 'anexo.pdf' },
    }),
  );
}
