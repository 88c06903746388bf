import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { CROSS_SITE, loginAs, startTestIdp, type TestIdp } from '../support/auth.js';
import { testDialects } from '../support/database.js';
import { licenseFixtures, type LicenseFixtures } from './license-fixtures.js';

describe.each(testDialects)('order page: activations on %s', (dialect) => {
  let idp: TestIdp;
  let t: TestApp;
  let fx: LicenseFixtures;

  beforeAll(async () => {
    idp = await startTestIdp();
    t = await createTestApp(dialect, idp.env);
    fx = licenseFixtures(t.db);
  });
  afterAll(async () => {
    await t.close();
    await idp.close();
  });

  const deactivateUrl = (orderId: string, itemId: number) => `/orders/${orderId}/items/${itemId}/activations/deactivate`;

  it('shows where each key is activated and lets the buyer deactivate an instance', async () => {
    const buyer = await loginAs(t.app, 'new');
    const { orderId, item, keys } = await fx.paidOrder({ type: 'key_lim', quantity: 2, activationLimit: 3, userSub: buyer.user.sub });
    const laptop = await fx.licenses.activate(keys[0]!, 'Anna’s <laptop>');
    await fx.licenses.activate(keys[0]!, 'office-pc');

    const page = await buyer.browser.request(`/orders/${orderId}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Activated on 2 of 3 allowed devices');
    expect(page.body).toContain('Activated on 0 of 3 allowed devices');
    expect(page.body).toContain('<span class="instance-name">Anna’s &lt;laptop></span>');
    expect(page.body).not.toContain('<laptop>');
    expect(page.body).toContain('office-pc');
    expect(page.body.match(/>\s*Deactivate\s*</g)).toHaveLength(2);

    const res = await buyer.browser.request(deactivateUrl(orderId, item.id), {
      form: { instance_id: laptop.instance!.id },
    });
    expect(res.status).toBe(303);
    expect(res.location).toMatch(new RegExp(`/orders/${orderId}#item-${item.id}$`));
    const after = await buyer.browser.request(`/orders/${orderId}`);
    expect(after.body).toContain('Activated on 1 of 3 allowed devices');
    expect(after.body).not.toContain('laptop');
    expect(await fx.licenses.validate(keys[0]!)).toMatchObject({ license: { activation_usage: 1 } });
  });

  it('says so when a key has no limit, and shows no activations for a refunded key', async () => {
    const buyer = await loginAs(t.app, 'new');
    const unlimited = await fx.paidOrder({ userSub: buyer.user.sub });
    await fx.licenses.activate(unlimited.key, 'pc');
    expect((await buyer.browser.request(`/orders/${unlimited.orderId}`)).body).toContain('Activated on 1 device (no limit)');

    const refunded = await fx.paidOrder({ userSub: buyer.user.sub, activationLimit: 2 });
    await fx.licenses.activate(refunded.key, 'old-pc');
    await fx.refund(refunded.orderId, refunded.item.id, 1, true);
    const page = await buyer.browser.request(`/orders/${refunded.orderId}`);
    expect(page.body).toContain('Refunded: this key is no longer valid.');
    expect(page.body).not.toContain('old-pc');
  });

  it('deactivates nothing for a post from another site, for anyone but the owner, or for another item’s instance', async () => {
    const buyer = await loginAs(t.app, 'new');
    const mine = await fx.paidOrder({ userSub: buyer.user.sub, activationLimit: 2 });
    const also = await fx.paidOrder({ userSub: buyer.user.sub, activationLimit: 2 });
    const on = await fx.licenses.activate(mine.key, 'pc');
    const onOther = await fx.licenses.activate(also.key, 'other-pc');
    const crossSite = await buyer.browser.request(deactivateUrl(mine.orderId, mine.item.id), {
      form: { instance_id: on.instance!.id },
      headers: CROSS_SITE,
    });
    expect(crossSite.status).toBe(403);

    const stranger = await loginAs(t.app, 'new');
    const foreign = await stranger.browser.request(deactivateUrl(mine.orderId, mine.item.id), {
      form: { instance_id: on.instance!.id },
    });
    expect(foreign.status).toBe(404);
    expect(foreign.body).not.toContain(on.instance!.id);

    // Another order's instance through this order's item, this order's instance through another item, unknown ids.
    for (const [orderId, itemId, instanceId] of [
      [mine.orderId, mine.item.id, onOther.instance!.id],
      [also.orderId, also.item.id, on.instance!.id],
      [mine.orderId, also.item.id, onOther.instance!.id],
      [mine.orderId, mine.item.id, 'inst_000000000000000000000000'],
    ] as const) {
      expect((await buyer.browser.request(deactivateUrl(orderId, itemId), { form: { instance_id: instanceId } })).status).toBe(404);
    }
    expect((await buyer.browser.request(deactivateUrl(mine.orderId, mine.item.id), { form: {} })).status).toBe(400);

    const anonymous = await t.app.inject({
      method: 'POST',
      url: deactivateUrl(mine.orderId, mine.item.id),
      payload: { instance_id: on.instance!.id },
    });
    expect(anonymous.statusCode).toBeGreaterThanOrEqual(300);
    expect(await fx.licenses.validate(mine.key, on.instance!.id)).toMatchObject({ status: 'active' });
    expect(await fx.licenses.validate(also.key, onOther.instance!.id)).toMatchObject({ status: 'active' });
  });
});
