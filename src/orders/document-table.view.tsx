import type { ComponentChildren } from 'preact';

/** A table of an invoice or a credit note: the first column text, the others amounts; the foot's values sit in the last column. */
export function DocumentTable({
  headings,
  rows,
  foot = [],
  caption,
}: {
  headings: string[];
  rows: ComponentChildren[][];
  foot?: Array<{ label: string; value: string; total?: boolean }>;
  caption?: string;
}) {
  return (
    // On a phone each row stacks into labelled lines (public/site.css, `table.stack`).
    <table class="order-items stack">
      {caption && <caption>{caption}</caption>}
      <thead>
        <tr>
          {headings.map((h, i) => (
            <th scope="col" class={i === 0 ? undefined : 'num'}>
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((cells) => (
          <tr>
            {cells.map((c, i) =>
              i === 0 ? (
                <td>{c}</td>
              ) : (
                <td class="num" data-label={headings[i]}>
                  {c}
                </td>
              ),
            )}
          </tr>
        ))}
      </tbody>
      {foot.length > 0 && (
        <tfoot>
          {foot.map((f) => (
            <tr class={f.total ? 'total' : undefined}>
              <th scope="row" colSpan={headings.length - 1}>
                {f.label}
              </th>
              <td class="num">{f.value}</td>
            </tr>
          ))}
        </tfoot>
      )}
    </table>
  );
}

/** The seller's block: name, address lines and VAT ID. */
export function SellerAddress({ seller }: { seller: { name: string; addressLines: string[]; taxId: string } }) {
  return (
    <address class="seller">
      <strong>{seller.name}</strong>
      {seller.addressLines.map((line) => (
        <>
          <br />
          {line}
        </>
      ))}
      {seller.taxId && (
        <>
          <br />
          VAT ID: {seller.taxId}
        </>
      )}
    </address>
  );
}

/** The buyer's block: each billing line. */
export function BuyerAddress({ lines, label }: { lines: string[]; label: string }) {
  return (
    <div class="buyer">
      <p>{label}</p>
      <address>
        {lines.map((l, i) => (
          <>
            {i > 0 && <br />}
            {i === 0 ? <strong>{l}</strong> : l}
          </>
        ))}
      </address>
    </div>
  );
}
