import type { KeyActivations } from '../licenses/licenses.service.js';

const usage = ({ limit, instances }: KeyActivations) =>
  limit === null
    ? `Activated on ${instances.length} ${instances.length === 1 ? 'device' : 'devices'} (no limit)`
    : `Activated on ${instances.length} of ${limit} allowed ${limit === 1 ? 'device' : 'devices'}`;

/** Where a key is activated, with a Deactivate button per instance (a form post). */
export function KeyActivationList({
  orderId,
  itemId,
  unit,
  activations,
}: {
  orderId: string;
  itemId: number;
  unit: number;
  activations: KeyActivations;
}) {
  return (
    <div class="activations" aria-label={`Activations of license key ${unit + 1}`}>
      <p class="usage">{usage(activations)}</p>
      {activations.instances.length > 0 && (
        <ul class="instances">
          {activations.instances.map((i) => (
            <li>
              <span class="instance-name">{i.name}</span>{' '}
              <time class="since" datetime={new Date(i.createdAt).toISOString()}>
                since {new Date(i.createdAt).toISOString().slice(0, 10)}
              </time>{' '}
              <form method="post" action={`/orders/${orderId}/items/${itemId}/activations/deactivate`} class="deactivate">
                <input type="hidden" name="instance_id" value={i.id} />
                <button type="submit" class="button secondary" aria-label={`Deactivate ${i.name}`}>
                  Deactivate
                </button>
              </form>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
