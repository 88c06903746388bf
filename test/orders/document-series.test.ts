import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, SAME_ORIGIN_POST } from '../support/auth.js';
import { checkout, startCheckoutShop, type CheckoutShop } from '../support/checkout-shop.js';
import { testDialects } from '../support/database.js';

/**
 * The owner's own number series (INVOICE_SERIES, CREDIT_NOTE_SERIES) from checkout to the documents
 * the buyer reads: the app is wired with them, not only the config parser.
 */
describe.each(testDialects)('configured invoice and credit note series on %s', (dialect) => {
  let shop: CheckoutShop;

  beforeAll(async () => {
    shop = await startCheckoutShop(dialect, { INVOICE_SERIES: 'RE{YYYY}.', CREDIT_NOTE_SERIES: 'GS{YYYY}-' });
  });
  afterAll(() => shop?.close());

  it('numbers the invoice and the credit note of an owner refund in the owner’s series, one after the other', async () => {
    const year = new Date().getUTCFullYear();
    const numbers: string[] = [];
    for (let n = 1; n <= 2; n++) {
      const buyer = await shop.buyerWith([{ price: 1500, quantity: 2 }]);
      expect((await checkout(buyer, { billingName: 'Ada Buyer', billingCountry: 'DE' })).res.status).toBe(303);
      const { order } = await shop.payAndSettle(buyer.user.sub);
      expect(order.status).toBe('fulfilled');
      const invoice = await buyer.browser.request(`/order/${order.id}/invoice`);
      expect(invoice.status).toBe(200);
      expect(invoice.body).toMatch(new RegExp(`<h1>Invoice <span class="doc-number">RE${year}\\.00000${n}</span></h1>`));

      const owner = await loginAs(shop.t.app, 'owner');
      const [item] = await shop.t.db.kysely.selectFrom('order_items').select('id').where('order_id', '=', order.id).execute();
      const refund = await shop.t.app.inject({
        method: 'POST',
        url: `/admin/orders/${order.id}/refund`,
        payload: new URLSearchParams({ item: String(item!.id), units: '1', reason: 'One too many', seen: '0' }).toString(),
        headers: { ...SAME_ORIGIN_POST, 'content-type': 'application/x-www-form-urlencoded', cookie: owner.cookie },
      });
      expect(refund.statusCode, refund.body.slice(0, 300)).toBe(303);
      const page = await buyer.browser.request(`/orders/${order.id}`);
      const link = new RegExp(`<a href="(/orders/${order.id}/credit-notes/GS${year}-00000${n})">Credit note GS${year}-00000${n}</a>`).exec(
        page.body,
      );
      expect(link, 'the order page links the credit note').not.toBeNull();
      const note = await buyer.browser.request(link![1]!);
      expect(note.status).toBe(200);
      expect(note.body).toContain(`Corrects invoice: RE${year}.00000${n}`);
      numbers.push(`RE${year}.00000${n}`, `GS${year}-00000${n}`);
    }
    expect(new Set(numbers).size).toBe(4);
  });
});
