import type { Transaction } from 'sequelize';
import { select } from '../db/sql';
import { sha256Hex } from '../documents/storage';
import { readFile } from '../documents/storage';
import { drawHtml, pdfkitBytes } from '../process-pdf/render';
import type { AccessLevel } from '../models';
import { OTHER_ESPECIE } from './especies';
import type { HipoteseOf } from './hipoteses';

/**
 * What a transfer carries (docs/decisions/tramita.md): the process metadata and one component per
 * document that travels — an external document's file bytes as stored, a generated document rendered
 * to PDF with its signature blocks — each with its SHA-256 and size, hashed here at the origin.
 */

export interface PackageMetadata {
  nup: string;
  numberDigits: string;
  numbering: 'nup' | 'nipe' | 'informed';
  year: number;
  processType: string;
  specification: string;
  interessados: { name: string; document: string | null }[];
  accessLevel: AccessLevel;
  legalBasis: { name: string; basis: string } | null;
  andamentos: { at: string; unit: string; description: string }[];
  origin: { ente: string; unitAcronym: string; unitName: string };
  message: string | null;
}

export interface ComponentDocument {
  originDocumentId: string;
  number: string;
  title: string;
  /** The complement of the title ("Planilha de custos"), when the document has one. */
  complement?: string | null;
  kind: 'internal' | 'external';
  typeName: string;
  especieCode: number;
  accessLevel: AccessLevel;
  /** The document's own hipótese legal (name), when it is more restricted than público. */
  legalBasis?: string | null;
  documentDate: string | null;
  /** The version that travelled: for a generated document, its version and the SHA-256 of that body. */
  version: number;
  contentSha256: string;
  signatures: { signerName: string; signerTitle: string; signedAt: string }[];
}

export interface PackedComponent {
  position: number;
  sha256: string;
  size: number;
  mime: string;
  fileName: string;
  document: ComponentDocument;
  bytes: Buffer;
}

export interface DocumentRow {
  id: string;
  number: string;
  title: string;
  complement: string | null;
  kind: 'internal' | 'external';
  type_id: string;
  type_name: string;
  access_level: AccessLevel;
  legal_basis_id: string | null;
  legal_basis: string | null;
  document_date: string | null;
  version: number;
  body_html: string | null;
  file_sha256: string | null;
  file_name: string | null;
  file_mime: string | null;
  signatures: { signer_name: string; signer_title: string; signed_at: string }[] | null;
  especie_code: number | null;
}

/** The documents of a process that travel (not deleted, not cancelled), in order, with each one's espécie (or null when unmapped). */
export async function travellingDocuments(t: Transaction, processId: string): Promise<DocumentRow[]> {
  return select<DocumentRow>(
    t,
    `SELECT d.id, d.number, d.title, d.complement, d.kind, dt.id AS type_id, dt.name AS type_name, d.access_level, d.legal_basis_id, lb.name AS legal_basis, d.document_date::text AS document_date,
            d.version, d.body_html, d.file_sha256, d.file_name, d.file_mime,
            (SELECT json_agg(json_build_object('signer_name', s.signer_name, 'signer_title', s.signer_title, 'signed_at', s.signed_at) ORDER BY s.signed_at, s.id)
               FROM signatures s WHERE s.document_id = d.id AND s.invalidated_at IS NULL) AS signatures,
            m.especie_code
       FROM documents d JOIN document_types dt ON dt.id = d.document_type_id
       LEFT JOIN tramita_send_map m ON m.document_type_id = d.document_type_id
       LEFT JOIN legal_bases lb ON lb.id = d.legal_basis_id
      WHERE d.process_id = $1 AND d.deleted_at IS NULL AND d.cancelled_at IS NULL
      ORDER BY d.number`,
    [processId],
  );
}

const DATE_TIME = new Intl.DateTimeFormat('pt-BR', { timeZone: 'America/Sao_Paulo', dateStyle: 'short', timeStyle: 'short' });

/** A generated document as it reads: title, number, body, and its signature blocks. */
function renderInternal(d: DocumentRow, ente: string, nup: string): Promise<Buffer> {
  return pdfkitBytes((doc) => {
    doc.info.CreationDate = new Date(0);
    doc.font('Helvetica').fontSize(8).fillColor('#555').text(`${ente} — Processo nº ${nup}`, { align: 'right' }).fillColor('black').moveDown();
    doc.font('Helvetica-Bold').fontSize(14).text(d.title, { align: 'center' }).moveDown(0.2);
    doc.font('Helvetica').fontSize(8).fillColor('#555').text(`Documento nº ${d.number}`, { align: 'center' }).fillColor('black').moveDown();
    drawHtml(doc, d.body_html ?? '');
    doc.moveDown();
    for (const s of d.signatures ?? []) {
      doc.font('Helvetica-Bold').fontSize(9).text(`Documento assinado eletronicamente por ${s.signer_name}, ${s.signer_title}, em ${DATE_TIME.format(new Date(s.signed_at))}, horário oficial de Brasília.`);
      doc.moveDown(0.3);
    }
  });
}

/** Packs every travelling document into a component (bytes, SHA-256, size), in order. */
export async function packComponents(
  t: Transaction,
  docs: DocumentRow[],
  defaultEspecie: number | null,
  hipoteseOf: HipoteseOf,
  ente: string,
  nup: string,
): Promise<PackedComponent[]> {
  const out: PackedComponent[] = [];
  for (const d of docs) {
    let bytes: Buffer;
    let mime: string;
    let fileName: string;
    if (d.kind === 'external') {
      const stored = d.file_sha256 ? await readFile(t, d.file_sha256) : null;
      if (!stored) throw new Error(`Documento ${d.number} sem conteúdo`);
      bytes = stored;
      mime = d.file_mime ?? 'application/octet-stream';
      fileName = d.file_name ?? `documento-${d.number}`;
    } else {
      bytes = await renderInternal(d, ente, nup);
      mime = 'application/pdf';
      fileName = `${d.title.replace(/[\\/\r\n"]/g, '_').slice(0, 150)}.pdf`;
    }
    out.push({
      position: out.length + 1,
      sha256: sha256Hex(bytes),
      size: bytes.length,
      mime,
      fileName,
      bytes,
      document: {
        originDocumentId: String(d.id),
        number: String(d.number),
        title: d.title,
        complement: d.complement,
        kind: d.kind,
        typeName: d.type_name,
        especieCode: d.especie_code ?? defaultEspecie ?? OTHER_ESPECIE,
        accessLevel: d.access_level,
        // The national hipótese it travels as (the prerequisites made sure a restricted one has one).
        legalBasis: d.legal_basis ? (hipoteseOf(d.legal_basis_id, d.legal_basis) ?? d.legal_basis) : null,
        documentDate: d.document_date,
        version: d.version,
        contentSha256: d.kind === 'internal' ? sha256Hex(d.body_html ?? '') : (d.file_sha256 ?? ''),
        signatures: (d.signatures ?? []).map((s) => ({ signerName: s.signer_name, signerTitle: s.signer_title, signedAt: new Date(s.signed_at).toISOString() })),
      },
    });
  }
  return out;
}

/** The recibo de conclusão de trâmite: the same body, hashed the same way, at both ends. */
export interface Receipt {
  transferId: string;
  nup: string;
  sender: { ente: string; unit: string };
  receiver: { ente: string; unit: string };
  issuedAt: string;
  hashes: string[];
}

export function buildReceipt(r: Omit<Receipt, 'hashes'> & { hashes: string[] }): { receipt: Receipt; sha256: string } {
  const receipt: Receipt = {
    transferId: r.transferId,
    nup: r.nup,
    sender: { ente: r.sender.ente, unit: r.sender.unit },
    receiver: { ente: r.receiver.ente, unit: r.receiver.unit },
    issuedAt: r.issuedAt,
    hashes: [...r.hashes].sort(),
  };
  return { receipt, sha256: sha256Hex(JSON.stringify(receipt)) };
}
