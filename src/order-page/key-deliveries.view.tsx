import type { KeyActivations } from '../licenses/licenses.service.js';
import { KeyActivationList } from './activations.view.js';

export interface KeyUnitView {
  unit: number;
  status: 'active' | 'revoked';
  /** the key in clear, only in the answer to the owner's reveal request */
  revealed?: string;
  /** where the key is activated (license API), for keys still valid */
  activations?: KeyActivations;
}

/** The license keys of one order item: a button per unit, the key itself only when just revealed. */
export function KeyDeliveries({ orderId, itemId, keys }: { orderId: string; itemId: number; keys: KeyUnitView[] }) {
  return (
    <ul class="deliveries keys">
      {keys.map((k) => (
        <li>
          <span class="unit">License key {k.unit + 1}</span>{' '}
          {k.status === 'revoked' ? (
            <span class="state revoked">Refunded: this key is no longer valid.</span>
          ) : k.revealed ? (
            <code class="license-key" aria-label={`License key ${k.unit + 1}`}>
              {k.revealed}
            </code>
          ) : (
            <form method="post" action={`/orders/${orderId}/items/${itemId}/key`} class="reveal">
              <input type="hidden" name="unit" value={String(k.unit)} />
              <button type="submit" class="button secondary">
                Get license key
              </button>
            </form>
          )}
          {k.status === 'active' && k.activations && (
            <KeyActivationList orderId={orderId} itemId={itemId} unit={k.unit} activations={k.activations} />
          )}
        </li>
      ))}
    </ul>
  );
}
