import type { Seller } from './invoice.js';

/** What an invoice or a credit note prints as a PDF. */
export interface PdfDocument {
  title: string;
  author: string;
  meta: string[];
  seller: Seller;
  buyerLabel: string;
  buyer: string[];
  headings: string[];
  rows: string[][];
  foot: Array<{ label: string; value: string; bold?: boolean }>;
  /**
   * further tables (the tax summary), drawn in the main table's columns so that the amounts line up:
   * `columns` gives each cell's column there (default: the first, then the last ones)
   */
  tables?: Array<{ headings: string[]; rows: string[][]; columns?: number[] }>;
  notes: string[];
}

/**
 * A document as a PDF. pdfkit's built-in Helvetica covers Latin text and the euro sign; names in
 * other scripts would need an embedded font. pdfkit is loaded on the first PDF: it costs an instance
 * some 30 MB of memory, for a page few buyers open.
 */
export async function renderDocumentPdf(d: PdfDocument): Promise<Buffer> {
  // Helvetica's WinAnsi encoding has no U+2212 (it printed as '"'): amounts take the hyphen-minus.
  const t = (s: string) => s.replace(/\u2212/g, '-');
  const { default: PDFDocument } = await import('pdfkit');
  const doc = new PDFDocument({ size: 'A4', margin: 50, bufferPages: true, info: { Title: d.title, Author: d.author } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  doc.font('Helvetica-Bold').fontSize(20).text(t(d.title));
  doc.font('Helvetica').fontSize(10).moveDown(0.5);
  for (const m of d.meta) doc.text(t(m));
  doc.moveDown().font('Helvetica-Bold').text(t(d.seller.name)).font('Helvetica');
  for (const line of d.seller.addressLines) doc.text(t(line));
  if (d.seller.taxId) doc.text(`VAT ID: ${d.seller.taxId}`);
  doc.moveDown().text(d.buyerLabel);
  for (const line of d.buyer) doc.text(t(line));
  doc.moveDown();

  // The first column takes what the amounts leave of the 495 points between the margins.
  const count = d.headings.length;
  const amountWidth = Math.min(85, Math.floor(330 / Math.max(1, count - 1)));
  const first = 495 - amountWidth * (count - 1);
  const table = (headings: string[], rows: string[][], foot: PdfDocument['foot'] = [], columns?: number[]) => {
    const at = columns ?? headings.map((_, i) => (i === 0 ? 0 : count - headings.length + i));
    const row = (cells: string[], bold = false, place = at, head = false) => {
      doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(count > 5 ? 8 : 10);
      const xOf = (column: number) => (column === 0 ? 50 : 50 + first + amountWidth * (column - 1));
      const cellAt = (i: number) => {
        const column = place[i] ?? i;
        // A text cell spans the columns up to the next cell of its row (a total's label, like colspan).
        const until = place[i + 1] ?? 1;
        const options = column === 0 ? { width: xOf(Math.max(1, until)) - 56 } : { width: amountWidth - 2, align: 'right' as const };
        return { x: xOf(column), options };
      };
      // A row that does not fit goes to a new page under the headings again: pdfkit would otherwise
      // start a page for each cell that crosses the bottom margin (70 lines made 352 pages).
      const height = Math.max(...cells.map((cell, i) => doc.heightOfString(t(cell), cellAt(i).options)));
      if (doc.y + height > doc.page.height - doc.page.margins.bottom) {
        doc.addPage();
        if (!head) row(headings, true, at, true);
        doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(count > 5 ? 8 : 10);
      }
      const y = doc.y;
      let bottom = y;
      cells.forEach((cell, i) => {
        const { x, options } = cellAt(i);
        doc.text(t(cell), x, y, options);
        bottom = Math.max(bottom, doc.y);
      });
      doc.y = bottom;
      doc.moveDown(0.3);
      doc.x = 50;
    };
    row(headings, true, at, true);
    for (const r of rows) row(r);
    doc.moveDown(0.3);
    for (const f of foot) row([f.label, f.value], f.bold, [0, count - 1]);
    doc.moveDown();
  };
  table(d.headings, d.rows, d.foot);
  for (const extra of d.tables ?? []) table(extra.headings, extra.rows, [], extra.columns);
  doc.font('Helvetica').fontSize(10);
  for (const n of d.notes) doc.text(t(n), 50);
  // A page printed or filed on its own still says which document it belongs to, and that more follow.
  const pages = doc.bufferedPageRange();
  if (pages.count > 1)
    for (let i = 0; i < pages.count; i++) {
      doc.switchToPage(pages.start + i);
      const bottom = doc.page.margins.bottom;
      doc.page.margins.bottom = 0; // text in the margin would otherwise start a new page
      doc.font('Helvetica').fontSize(8);
      doc.text(`${t(d.title)} · page ${i + 1} of ${pages.count}`, 50, doc.page.height - 35, {
        width: 495,
        align: 'right',
        lineBreak: false,
      });
      doc.page.margins.bottom = bottom;
    }
  doc.end();
  return done;
}
