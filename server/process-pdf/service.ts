import { PDFDocument as PdfLib } from 'pdf-lib';
import type { Config } from '../config';
import type { Actor } from '../web/actor';
import { documentReadableSql } from '../documents/access';
import { readableProcess } from '../processes/access';
import { select } from '../db/sql';
import { sha256Hex } from '../documents/storage';
import { qrPng, verificationPageUrl, verificationUrl } from '../signatures/verification';
import { armsImage, letterheadFor } from '../letterhead/service';
import { inTenant, requireTenant } from '../tenancy/context';
import { drawHtml, pdfkitBytes, type Kit } from './render';

const DATE_TIME = new Intl.DateTimeFormat('pt-BR', { timeZone: 'America/Sao_Paulo', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' });
const fmt = (d: Date): string => DATE_TIME.format(d).replace(',', '');

interface PdfDocumentRow {
  id: string;
  number: string;
  title: string;
  kind: 'internal' | 'external';
  body_html: string | null;
  file_sha256: string | null;
  file_name: string | null;
  file_mime: string | null;
  verification_code: string;
  crc: string | null;
  type_name: string;
  unit_id: string;
}

export interface ProcessPdfResult {
  bytes: Buffer;
  fileName: string;
  /** Document numbers included, in order; and those listed but not embeddable. */
  included: string[];
  listedOnly: string[];
}

function header(doc: Kit, tenantName: string, processNumber: string): void {
  doc.font('Helvetica').fontSize(8).fillColor('#555').text(`${tenantName} — Processo nº ${processNumber}`, { align: 'right' }).fillColor('black').moveDown(0.5);
}

/**
 * "Gerar PDF do processo": a cover (number, type, interessados, history summary), then every document
 * the actor may read, in order — internal ones with their signature and verification blocks,
 * uploaded PDFs merged page by page, PNG/JPEG images on a page each; other formats are listed.
 * Nothing the actor may not read is included (the same predicates as the process page).
 */
export async function buildProcessPdf(config: Config, actor: Actor, processId: string, onProgress: (done: number, total: number) => void = () => {}): Promise<ProcessPdfResult> {
  const tenantName = requireTenant().name;
  const { facts, docs, events } = await inTenant(async (t) => {
    const facts = await readableProcess(t, actor, processId);
    const docs = await select<PdfDocumentRow>(
      t,
      `SELECT d.id, d.number, d.title, d.kind, d.body_html, d.file_sha256, d.file_name, d.file_mime, d.verification_code, d.crc, dt.name AS type_name, d.unit_id
         FROM documents d JOIN document_types dt ON dt.id = d.document_type_id
        WHERE d.process_id = $1 AND ${documentReadableSql('d', '$2')}
        ORDER BY d.number`,
      [processId, actor.unitId],
    );
    const events = await select<{ created_at: Date; acronym: string; description: string }>(
      t,
      `SELECT e.created_at, u.acronym, e.description FROM process_events e JOIN units u ON u.id = e.unit_id
        WHERE e.process_id = $1 AND e.summary ORDER BY e.id LIMIT 40`,
      [processId],
    );
    return { facts, docs, events };
  });
  const total = docs.length;
  onProgress(0, total);
  const out = await PdfLib.create();
  out.setTitle(`Processo ${facts.number}`);
  out.setProducer('PEN Nuvem');
  const append = async (bytes: Buffer | Uint8Array): Promise<void> => {
    const src = await PdfLib.load(bytes, { ignoreEncryption: true });
    const pages = await out.copyPages(src, src.getPageIndices());
    for (const p of pages) out.addPage(p);
  };

  await append(
    await pdfkitBytes((doc) => {
      header(doc, tenantName, facts.number);
      doc.font('Helvetica-Bold').fontSize(18).text(`Processo nº ${facts.number}`).moveDown(0.5);
      doc.font('Helvetica').fontSize(11);
      doc.text(`Tipo: ${facts.typeName}`);
      doc.text(`Especificação: ${facts.specification}`);
      doc.text(`Interessados: ${facts.parties.join('; ') || '—'}`);
      doc.text(`Autuado em: ${fmt(facts.createdAt)}`);
      doc.text(`Documentos neste PDF: ${total}`).moveDown();
      doc.font('Helvetica-Bold').fontSize(13).text('Resumo do andamento').moveDown(0.3);
      doc.font('Helvetica').fontSize(9);
      for (const e of events) doc.text(`${fmt(e.created_at)} — ${e.acronym} — ${e.description}`);
      doc.moveDown().font('Helvetica-Bold').fontSize(13).text('Documentos').moveDown(0.3).font('Helvetica').fontSize(10);
      for (const d of docs) doc.text(`${d.title} (nº ${d.number})`);
    }),
  );

  const included: string[] = [];
  const listedOnly: string[] = [];
  let done = 0;
  // The letterhead of generated documents, as on their pages: the brasão (when PNG or JPEG, what the
  // PDF can embed), the ente, the author unit and its address.
  const arms = await armsImage();
  const armsBytes = arms && ['image/png', 'image/jpeg'].includes(arms.mime) ? arms.bytes : null;
  for (const d of docs) {
    const signatures = await inTenant((t) =>
      select<{ signer_name: string; signer_title: string; signed_at: Date }>(
        t,
        'SELECT signer_name, signer_title, signed_at FROM signatures WHERE document_id = $1 AND invalidated_at IS NULL ORDER BY signed_at, id',
        [d.id],
      ),
    );
    if (d.kind === 'internal') {
      const url = d.crc ? verificationUrl(config, d.verification_code, d.crc) : null;
      const qr = url ? await qrPng(url) : null;
      const head = await inTenant((t) => letterheadFor(t, String(d.unit_id)));
      await append(
        await pdfkitBytes((doc) => {
          header(doc, tenantName, facts.number);
          if (armsBytes) {
            const width = 48;
            doc.image(armsBytes, (doc.page.width - width) / 2, doc.y, { fit: [width, width] });
            doc.y += width + 4;
          }
          doc.font('Helvetica-Bold').fontSize(11).text(head.enteName, { align: 'center' });
          doc.font('Helvetica').fontSize(10).text(head.unitName, { align: 'center' });
          if (head.unitAddress) doc.fontSize(8).fillColor('#555').text(head.unitAddress, { align: 'center' }).fillColor('black');
          doc.moveDown();
          doc.font('Helvetica-Bold').fontSize(14).text(d.title, { align: 'center' }).moveDown(0.2);
          doc.font('Helvetica').fontSize(8).fillColor('#555').text(`Documento nº ${d.number}`, { align: 'center' }).fillColor('black').moveDown();
          drawHtml(doc, d.body_html ?? '');
          doc.moveDown();
          for (const s of signatures) {
            doc.font('Helvetica-Bold').fontSize(9).text(`Documento assinado eletronicamente por ${s.signer_name}, ${s.signer_title}, em ${fmt(s.signed_at)}, horário oficial de Brasília.`);
            doc.moveDown(0.3);
          }
          if (url && qr && d.crc) {
            doc.moveDown(0.5);
            const y = doc.y;
            doc.image(qr, doc.page.margins.left, y, { width: 72 });
            doc.font('Helvetica').fontSize(8).text(
              `A autenticidade deste documento pode ser conferida no site ${verificationPageUrl(config)}, informando o código verificador ${d.verification_code} e o código CRC ${d.crc}.`,
              doc.page.margins.left + 84,
              y,
            );
          } else {
            doc.font('Helvetica-Oblique').fontSize(9).text('Minuta — documento ainda não assinado.');
          }
        }),
      );
      included.push(d.number);
    } else {
      const bytes = await inTenant(async (t) => {
        const [row] = await select<{ content: Buffer }>(t, 'SELECT content FROM file_contents WHERE sha256 = $1', [d.file_sha256]);
        return row && sha256Hex(row.content) === d.file_sha256 ? row.content : null;
      });
      let embedded = false;
      if (bytes && d.file_mime === 'application/pdf') {
        try {
          await append(bytes);
          embedded = true;
        } catch {
          embedded = false;
        }
      } else if (bytes && (d.file_mime === 'image/png' || d.file_mime === 'image/jpeg')) {
        await append(
          await pdfkitBytes((doc) => {
            header(doc, tenantName, facts.number);
            doc.font('Helvetica-Bold').fontSize(12).text(`${d.title} (nº ${d.number})`).moveDown(0.5);
            doc.image(bytes, { fit: [doc.page.width - 112, doc.page.height - 200], align: 'center' });
          }),
        );
        embedded = true;
      }
      if (embedded) included.push(d.number);
      else {
        listedOnly.push(d.number);
        await append(
          await pdfkitBytes((doc) => {
            header(doc, tenantName, facts.number);
            doc.font('Helvetica-Bold').fontSize(12).text(`${d.title} (nº ${d.number})`).moveDown(0.5);
            doc.font('Helvetica').fontSize(10).text(`Arquivo "${d.file_name}" (${d.file_mime}) não pode ser incorporado ao PDF. Consulte-o no processo eletrônico.`);
            doc.text(`SHA-256: ${d.file_sha256}`);
          }),
        );
      }
    }
    done++;
    onProgress(done, total);
  }
  const bytes = Buffer.from(await out.save());
  return { bytes, fileName: `processo-${facts.number.replace(/\D/g, '')}.pdf`, included, listedOnly };
}
