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
  /** further tables (the tax summary) */
  tables?: Array<{ headings: string[]; rows: string[][] }>;
  notes: string[];
}

/**
 * A document as a PDF. pdfkit's built-in Helvetica covers Latin text and the euro sign; names in
 * other scripts would need an embedded font. pdfkit is loaded on the first PDF: it costs an instance
 * some 30 MB of memory, for a page few buyers open.
 */
export async function renderDocumentPdf(d: PdfDocument): Promise<Buffer> {
  const { default: PDFDocument } = await import('pdfkit');
  const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: d.title, Author: d.author } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  doc.font('Helvetica-Bold').fontSize(20).text(d.title);
  doc.font('Helvetica').fontSize(10).moveDown(0.5);
  for (const m of d.meta) doc.text(m);
  doc.moveDown().font('Helvetica-Bold').text(d.seller.name).font('Helvetica');
  for (const line of d.seller.addressLines) doc.text(line);
  if (d.seller.taxId) doc.text(`VAT ID: ${d.seller.taxId}`);
  doc.moveDown().text(d.buyerLabel);
  for (const line of d.buyer) doc.text(line);
  doc.moveDown();

  const table = (headings: string[], rows: string[][], foot: PdfDocument['foot'] = []) => {
    // The first column takes what the amounts leave of the 495 points between the margins.
    const amountWidth = Math.min(85, Math.floor(330 / Math.max(1, headings.length - 1)));
    const first = 495 - amountWidth * (headings.length - 1);
    const row = (cells: string[], bold = false) => {
      const y = doc.y;
      doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(headings.length > 5 ? 8 : 10);
      let bottom = y;
      cells.forEach((cell, i) => {
        const x = i === 0 ? 50 : 50 + first + amountWidth * (i - 1);
        doc.text(cell, x, y, i === 0 ? { width: first - 6 } : { width: amountWidth - 2, align: 'right' });
        bottom = Math.max(bottom, doc.y);
      });
      doc.y = bottom;
      doc.moveDown(0.3);
      doc.x = 50;
    };
    row(headings, true);
    for (const r of rows) row(r);
    doc.moveDown(0.3);
    for (const f of foot) row([f.label, ...Array<string>(headings.length - 2).fill(''), f.value], f.bold);
    doc.moveDown();
  };
  table(d.headings, d.rows, d.foot);
  for (const t of d.tables ?? []) table(t.headings, t.rows);
  doc.font('Helvetica').fontSize(10);
  for (const n of d.notes) doc.text(n, 50);
  doc.end();
  return done;
}
