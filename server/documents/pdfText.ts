/** Text of a PDF for full-text search (pdfjs-dist, legacy build for Node). Never throws: a PDF without text gives ''. */
export async function extractPdfText(bytes: Buffer, maxPages = 500): Promise<string> {
  try {
    const pdfjs = (await import('pdfjs-dist/legacy/build/pdf.mjs')) as typeof import('pdfjs-dist');
    const doc = await pdfjs.getDocument({ data: new Uint8Array(bytes), useSystemFonts: false, isEvalSupported: false, disableFontFace: true, verbosity: 0 }).promise;
    const parts: string[] = [];
    for (let i = 1; i <= Math.min(doc.numPages, maxPages); i++) {
      const page = await doc.getPage(i);
      const content = await page.getTextContent();
      parts.push(content.items.map((it) => ('str' in it ? it.str : '')).join(' '));
    }
    await doc.destroy();
    return parts.join('\n').replace(/\s+/g, ' ').trim();
  } catch {
    return '';
  }
}
