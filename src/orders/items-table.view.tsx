import type { ComponentChildren } from 'preact';

export interface ItemsTableRow {
  product: ComponentChildren;
  quantity: number;
  price: string;
  amount: string;
}

export interface ItemsTableFoot {
  label: ComponentChildren;
  value: string;
  /** the row that carries the amount to pay or paid */
  total?: boolean;
}

/** The table of bought items used by the checkout summary, the order page and the invoice. */
export function ItemsTable({
  rows,
  foot,
  headings = ['Product', 'Quantity', 'Price', 'Total'],
}: {
  rows: ItemsTableRow[];
  foot: ItemsTableFoot[];
  headings?: [string, string, string, string];
}) {
  return (
    // On a phone each row stacks into labelled lines (public/site.css, `table.stack`).
    <table class="order-items stack">
      <thead>
        <tr>
          <th scope="col">{headings[0]}</th>
          <th scope="col" class="num">
            {headings[1]}
          </th>
          <th scope="col" class="num">
            {headings[2]}
          </th>
          <th scope="col" class="num">
            {headings[3]}
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr>
            <td>{r.product}</td>
            <td class="num" data-label={headings[1]}>
              {r.quantity}
            </td>
            <td class="num" data-label={headings[2]}>
              {r.price}
            </td>
            <td class="num" data-label={headings[3]}>
              {r.amount}
            </td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        {foot.map((f) => (
          <tr class={f.total ? 'total' : undefined}>
            <th scope="row" colSpan={3}>
              {f.label}
            </th>
            <td class="num">{f.value}</td>
          </tr>
        ))}
      </tfoot>
    </table>
  );
}
