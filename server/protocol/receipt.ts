import { formatBytes } from '../documents/upload';
import formatDateTime from '../helpers/formatDateTime';
import { pdfkitBytes } from '../process-pdf/render';
import { formatCpfCnpj } from '../formatting';
import type { RequestAnswer } from '../models';

/** The declaration a citizen makes by filing (shown on the review page and printed in the receipt). */
export const DECLARATION =
  'Declaro, sob as penas da lei (art. 299 do Código Penal), que as informações prestadas são verdadeiras e que os documentos anexados conferem com os originais, e assumo a responsabilidade pelo seu conteúdo.';

export interface ReceiptFacts {
  tenantName: string;
  serviceName: string;
  number: string;
  submittedAt: Date;
  citizen: { name: string; cpf: string; email: string; method: 'email' | 'govbr' };
  unit: string;
  answers: RequestAnswer[];
  files: { attachmentName: string; fileName: string; size: number; sha256: string }[];
}

export function answerText(a: RequestAnswer): string {
  if (!a.value) return '—';
  if (a.kind === 'document') return formatCpfCnpj(a.value);
  if (a.kind === 'date') return a.value.split('-').reverse().join('/');
  return a.value;
}

/** "Recibo eletrônico de protocolo": the PDF proof of a citizen's filing (Brasília time). */
export function buildFilingReceipt(f: ReceiptFacts): Promise<Buffer> {
  return pdfkitBytes((doc) => {
    doc.info.Title = `Recibo eletrônico de protocolo ${f.number}`;
    doc.font('Helvetica').fontSize(10).fillColor('#555').text(f.tenantName, { align: 'right' }).fillColor('black').moveDown();
    doc.font('Helvetica-Bold').fontSize(16).text('Recibo eletrônico de protocolo', { align: 'center' }).moveDown(0.3);
    doc.font('Helvetica').fontSize(11).text(`Solicitação nº ${f.number}`, { align: 'center' }).moveDown();
    const line = (label: string, value: string): void => {
      doc.font('Helvetica-Bold').text(`${label}: `, { continued: true }).font('Helvetica').text(value);
    };
    line('Órgão', f.tenantName);
    line('Serviço', f.serviceName);
    line('Unidade responsável', f.unit);
    line('Data e hora do protocolo', `${formatDateTime(f.submittedAt)} (horário de Brasília)`);
    doc.moveDown(0.5);
    doc.font('Helvetica-Bold').fontSize(12).text('Requerente').moveDown(0.2).fontSize(11);
    line('Nome', f.citizen.name);
    line('CPF', formatCpfCnpj(f.citizen.cpf));
    line('E-mail', f.citizen.email);
    line('Identificação', f.citizen.method === 'govbr' ? 'gov.br' : 'e-mail confirmado por link');
    doc.moveDown(0.5);
    doc.font('Helvetica-Bold').fontSize(12).text('Informações prestadas').moveDown(0.2).fontSize(11);
    if (!f.answers.length) doc.font('Helvetica').text('Nenhum campo.');
    for (const a of f.answers) line(a.label, answerText(a));
    doc.moveDown(0.5);
    doc.font('Helvetica-Bold').fontSize(12).text('Anexos').moveDown(0.2).fontSize(10);
    if (!f.files.length) doc.font('Helvetica').text('Nenhum anexo.');
    for (const file of f.files) {
      doc.font('Helvetica-Bold').text(`${file.attachmentName}: `, { continued: true }).font('Helvetica').text(`${file.fileName} (${formatBytes(file.size)})`);
      doc.font('Courier').fontSize(8).text(`SHA-256: ${file.sha256}`).font('Helvetica').fontSize(10).moveDown(0.2);
    }
    doc.moveDown(0.5);
    doc.font('Helvetica-Bold').fontSize(12).text('Declaração de responsabilidade').moveDown(0.2);
    doc.font('Helvetica').fontSize(10).text(DECLARATION, { align: 'justify' });
    doc.moveDown();
    doc.fontSize(8).fillColor('#555').text('Guarde este recibo e o código de acesso enviado por e-mail para acompanhar a solicitação.');
  });
}
