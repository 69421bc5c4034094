import { inTenant } from '../tenancy/context';
import { letterheadFor } from '../letterhead/service';
import { select } from '../db/sql';
import { effectiveLevelSql } from '../documents/access';
import { normaliseCode, normaliseCrc } from '../signatures/codes';

export interface AuthenticDocument {
  /** The document's title; for restrito/sigiloso only its type (the complement can carry personal data). */
  title: string;
  number: string;
  typeName: string;
  /** Null for restrito/sigiloso: the page must not tie the code to a process (a sigiloso one may not even be known). */
  processNumber: string | null;
  /** True when the process (with all its documents) is público: then everything below is shown. */
  public: boolean;
  kind: 'internal' | 'external';
  /** Null when the process or document is restrito/sigiloso: authenticity is confirmed, content is not published. */
  bodyHtml: string | null;
  /** Null for restrito/sigiloso (a file name can carry personal data); the SHA-256 is kept, to check a copy. */
  fileName: string | null;
  fileSha256: string | null;
  verificationCode: string;
  crc: string;
  cancelled: boolean;
  cancelReason: string | null;
  signatures: { signerName: string; signerTitle: string; signedAt: Date }[];
}

/**
 * Looks up a signed document of the current tenant by código verificador and CRC. Unsigned,
 * deleted or wrongly-CRC'd documents are never found; other tenants' documents are out of reach
 * because the query runs in this tenant's schema only. What the code holder sees (docs/security.md,
 * "Conferir autenticidade"): for a público process, the document with its content; for restrito and
 * sigiloso, only that it is authentic — type, number, signers (name, cargo, time), the file's SHA-256,
 * whether it was cancelled — never its title's complement, content, file name, cancel reason or process.
 */
export async function findAuthentic(codeInput: string, crcInput: string): Promise<AuthenticDocument | null> {
  const code = normaliseCode(codeInput);
  const crc = normaliseCrc(crcInput);
  if (!/^[0-9]{10}$/.test(code) || !/^[0-9A-F]{8}$/.test(crc)) return null;
  return inTenant(async (t) => {
    const [doc] = await select<{
      id: string; title: string; number: string; type_name: string; process_number: string; kind: 'internal' | 'external';
      body_html: string | null; file_name: string | null; file_sha256: string | null; verification_code: string; crc: string;
      cancelled_at: Date | null; cancel_reason: string | null; level: string; access_level: string; unit_id: string;
    }>(
      t,
      `SELECT d.id, d.title, d.number, dt.name AS type_name, p.number AS process_number, d.kind, d.body_html, d.file_name, d.file_sha256,
              d.verification_code, d.crc, d.cancelled_at, d.cancel_reason, d.access_level, d.unit_id, ${effectiveLevelSql('p')} AS level
         FROM documents d JOIN processes p ON p.id = d.process_id JOIN document_types dt ON dt.id = d.document_type_id
        WHERE d.verification_code = $1 AND d.crc = $2 AND d.deleted_at IS NULL
          AND EXISTS (SELECT 1 FROM signatures s WHERE s.document_id = d.id AND s.invalidated_at IS NULL)`,
      [code, crc],
    );
    if (!doc) return null;
    const signatures = await select<{ signer_name: string; signer_title: string; signed_at: Date }>(
      t,
      'SELECT signer_name, signer_title, signed_at FROM signatures WHERE document_id = $1 AND invalidated_at IS NULL ORDER BY signed_at, id',
      [doc.id],
    );
    const isPublic = doc.level === 'public';
    const open = isPublic && !doc.cancelled_at;
    return {
      title: isPublic ? doc.title : doc.type_name,
      number: String(doc.number),
      typeName: doc.type_name,
      processNumber: isPublic ? doc.process_number : null,
      public: isPublic,
      kind: doc.kind,
      bodyHtml: open && doc.kind === 'internal' ? doc.body_html : null,
      fileName: isPublic ? doc.file_name : null,
      fileSha256: doc.file_sha256,
      verificationCode: doc.verification_code,
      crc: doc.crc,
      cancelled: !!doc.cancelled_at,
      cancelReason: isPublic ? doc.cancel_reason : null,
      /** The level that governs the content (the process's effective level) and the document's own. */
      level: doc.level,
      accessLevel: doc.access_level,
      letterhead: open && doc.kind === 'internal' ? await letterheadFor(t, String(doc.unit_id)) : null,
      signatures: signatures.map((s) => ({ signerName: s.signer_name, signerTitle: s.signer_title, signedAt: s.signed_at })),
    };
  });
}
