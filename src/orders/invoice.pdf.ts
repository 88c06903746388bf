import type { InvoiceData } from './invoice.js';

/**
 * The same invoice as a PDF. pdfkit's built-in Helvetica covers Latin text and the euro sign;
 * names in other scripts would need an embedded font. pdfkit is loaded on the first PDF: it costs an
 * instance some 30 MB of memory, for a page few buyers open.
 */
export async function renderInvoicePdf(invoice: InvoiceData): Promise<Buffer> {
  const { default: PDFDocument } = await import('pdfkit');
  const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: `Invoice ${invoice.number}`, Author: invoice.seller.name } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  doc.font('Helvetica-Bold').fontSize(20).text(`Invoice ${invoice.number}`);
  doc.font('Helvetica').fontSize(10).moveDown(0.5).text(`Date: ${invoice.date}`).text(`Order: ${invoice.orderNumber}`);
  doc.moveDown().font('Helvetica-Bold').text(invoice.seller.name).font('Helvetica');
  for (const line of invoice.seller.addressLines) doc.text(line);
  if (invoice.seller.taxId) doc.text(`Tax ID: ${invoice.seller.taxId}`);
  doc.moveDown().text(`Billed to: ${invoice.buyerEmail}`).moveDown();

  const columns = [50, 300, 370, 460];
  const row = (cells: string[], bold = false) => {
    const y = doc.y;
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica');
    cells.forEach((cell, i) => doc.text(cell, columns[i], y, i === 0 ? { width: 240 } : { width: 85, align: 'right' }));
    doc.moveDown(0.4);
    doc.x = 50;
  };
  row(['Description', 'Quantity', 'Unit price', 'Amount'], true);
  for (const l of invoice.lines) row([`${l.description} (${l.sku})`, String(l.quantity), l.unitPrice, l.amount]);
  doc.moveDown(0.5);
  row(['Net', '', '', invoice.net]);
  row(['Tax', '', '', invoice.tax]);
  row(['Total paid', '', '', invoice.total], true);
  doc.moveDown().font('Helvetica').text(invoice.taxNote, 50);
  if (invoice.refundNote) doc.text(invoice.refundNote, 50);
  doc.end();
  return done;
}
