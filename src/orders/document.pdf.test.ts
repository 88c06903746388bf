import { PDFParse } from 'pdf-parse';
import { describe, expect, it } from 'vitest';
import { renderDocumentPdf, type PdfDocument } from './document.pdf.js';

const pagesOf = (pdf: Buffer) => (pdf.toString('latin1').match(/\/Type \/Page\b/g) ?? []).length;

const invoice = (lines: number): PdfDocument => ({
  title: 'Invoice INV-2026-000001',
  author: 'Seller',
  meta: ['Date: 2026-12-05'],
  seller: { name: 'Seller GmbH', addressLines: ['Hauptstraße 1', '10115 Berlin'], taxId: 'DE123456789' },
  buyerLabel: 'Billed to:',
  buyer: ['Buyer SARL', 'France'],
  headings: ['Description', 'Qty', 'Unit price', 'Discount', 'Net', 'Rate', 'Tax', 'Gross'],
  rows: Array.from({ length: lines }, (_, i) => [
    `Product ${i} with a name long enough to wrap onto a second line in its column (SKU-${i})`,
    '1',
    '€19.00',
    '−€1.90',
    '€14.25',
    '0%',
    '€0.00',
    '€14.25',
  ]),
  foot: [{ label: 'Total paid', value: '€997.50', bold: true }],
  tables: [
    {
      headings: ['Tax summary', 'Net', 'Rate', 'Tax', 'Gross'],
      rows: [['', '€997.50', '0%', '€0.00', '€997.50']],
      columns: [0, 4, 5, 6, 7],
    },
  ],
  notes: ['Reverse charge.'],
});

/** The text of each page, as a PDF reader extracts it. */
async function pageTexts(pdf: Buffer): Promise<string[]> {
  const parser = new PDFParse({ data: new Uint8Array(pdf) });
  const { pages } = await parser.getText();
  await parser.destroy();
  return pages.map((p) => p.text.replace(/\s+/g, ' '));
}

describe('invoice and credit note PDFs', () => {
  it('names the document and the page on every page of a long one, and nothing of the kind on a single page', async () => {
    const texts = await pageTexts(await renderDocumentPdf(invoice(70)));
    expect(texts.length).toBeGreaterThan(1);
    texts.forEach((text, i) => expect(text).toContain(`Invoice INV-2026-000001 · page ${i + 1} of ${texts.length}`));
    expect((await pageTexts(await renderDocumentPdf(invoice(2))))[0]).not.toContain('page 1');
  });

  it('breaks a long table into pages by rows, not a page per cell', async () => {
    expect(pagesOf(await renderDocumentPdf(invoice(2)))).toBe(1);
    // 70 two-line rows: three pages (each cell crossing the margin used to start its own: 352).
    expect(pagesOf(await renderDocumentPdf(invoice(70)))).toBeLessThanOrEqual(4);
  });
});
