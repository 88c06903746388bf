import type { KeyActivations } from '../licenses/licenses.service.js';
import { KeyActivationList } from './activations.view.js';

export interface KeyUnitView {
  unit: number;
  status: 'active' | 'revoked';
  /** the key in clear, once its owner has revealed it (the reveal is logged); never for a refunded unit */
  revealed?: string | undefined;
  /** where the key is activated (license API), for keys still valid */
  activations?: KeyActivations | undefined;
}

/** The fragment the order page opens at after a reveal, and the id of the key's field. */
export const keyAnchor = (itemId: number, unit: number) => `key-${itemId}-${unit}`;

/** Rows a read-only key field needs to show a key whole (about 30 characters a row on a phone). */
const rowsFor = (key: string) => Math.min(8, Math.max(1, Math.ceil(key.length / 30)));

/**
 * The license keys of one order item: a button per unit until it is revealed, then the key in a
 * read-only field (selectable without JavaScript) with a copy button that public/copy-key.js shows.
 */
export function KeyDeliveries({ orderId, itemId, keys }: { orderId: string; itemId: number; keys: KeyUnitView[] }) {
  return (
    <ul class="deliveries keys">
      {keys.map((k) => {
        const id = keyAnchor(itemId, k.unit);
        return (
          <li class="key-unit">
            {k.status === 'revoked' ? (
              <>
                <span class="unit">License key {k.unit + 1}</span> —{' '}
                <span class="state revoked">Refunded: this key is no longer valid.</span>
              </>
            ) : k.revealed ? (
              <div class="key-reveal">
                <label class="unit" for={id}>
                  License key {k.unit + 1}
                </label>
                <textarea id={id} class="key-field" readonly rows={rowsFor(k.revealed)} spellcheck={false} autocomplete="off">
                  {k.revealed}
                </textarea>
                <button type="button" class="button secondary key-copy" data-copy={id} hidden>
                  Copy
                </button>
              </div>
            ) : (
              <>
                <span class="unit">License key {k.unit + 1}</span>{' '}
                <form method="post" action={`/orders/${orderId}/items/${itemId}/key`} class="reveal">
                  <input type="hidden" name="unit" value={String(k.unit)} />
                  <button type="submit" class="button secondary">
                    Get license key
                  </button>
                </form>
              </>
            )}
            {k.status === 'active' && k.activations && (
              <KeyActivationList orderId={orderId} itemId={itemId} unit={k.unit} activations={k.activations} />
            )}
          </li>
        );
      })}
    </ul>
  );
}
