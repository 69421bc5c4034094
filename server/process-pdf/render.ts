import * as cheerio from 'cheerio';
import PDFDocument from 'pdfkit';

export type Kit = InstanceType<typeof PDFDocument>;

/** Runs `draw` on a new A4 pdfkit document and returns its bytes. */
export function pdfkitBytes(draw: (doc: Kit) => void | Promise<void>): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: 56, info: { Producer: 'PEN Nuvem', Creator: 'PEN Nuvem' } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    Promise.resolve(draw(doc)).then(() => doc.end(), reject);
  });
}

type Align = 'left' | 'center' | 'right' | 'justify';

function alignOf(cls: string | undefined): Align {
  if (!cls) return 'left';
  if (cls.includes('ql-align-center')) return 'center';
  if (cls.includes('ql-align-right')) return 'right';
  if (cls.includes('ql-align-justify')) return 'justify';
  return 'left';
}

/**
 * Draws sanitised document HTML (the allow-list of server/documents/sanitize.ts) as PDF text:
 * headings, paragraphs with their alignment, list items and table rows; inline emphasis as plain text.
 */
export function drawHtml(doc: Kit, html: string): void {
  const $ = cheerio.load(`<body>${html}</body>`);
  const text = (el: Parameters<typeof $>[0]): string => $(el).text().replace(/\s+/g, ' ').trim();
  $('body')
    .children()
    .each((_, el) => {
      const tag = 'tagName' in el ? el.tagName.toLowerCase() : '';
      const align = alignOf($(el).attr('class'));
      if (/^h[1-4]$/.test(tag)) {
        doc.moveDown(0.3).font('Helvetica-Bold').fontSize(tag === 'h1' ? 16 : tag === 'h2' ? 14 : 12).text(text(el), { align });
        doc.font('Helvetica').fontSize(11).moveDown(0.3);
      } else if (tag === 'ol' || tag === 'ul') {
        $(el)
          .children('li')
          .each((i, li) => {
            const bullet = tag === 'ol' && $(li).attr('data-list') !== 'bullet' ? `${i + 1}. ` : '• ';
            doc.font('Helvetica').fontSize(11).text(`${bullet}${text(li)}`, { indent: 14 });
          });
        doc.moveDown(0.5);
      } else if (tag === 'table') {
        $(el)
          .find('tr')
          .each((_i, tr) => {
            const cells = $(tr).children('th,td').map((_j, c) => text(c)).get();
            doc.font('Helvetica').fontSize(10).text(cells.join('  |  '));
          });
        doc.fontSize(11).moveDown(0.5);
      } else if (tag === 'hr') {
        doc.moveDown(0.3).moveTo(doc.page.margins.left, doc.y).lineTo(doc.page.width - doc.page.margins.right, doc.y).stroke().moveDown(0.5);
      } else {
        const s = text(el);
        doc.font('Helvetica').fontSize(11).text(s || ' ', { align, lineGap: 2 });
        doc.moveDown(0.5);
      }
    });
}
