/**
 * oidc-provider's storage (sessions, grants, codes, refresh tokens) kept in memory with expiry.
 * The dev IdP's own, so restarts are explicit about losing them: after a restart of `npm start`
 * the store's sessions fail their next refresh and the user logs in again.
 */
type Payload = Record<string, unknown> & { grantId?: string; userCode?: string; uid?: string; consumed?: number };

type Items = Map<string, { payload: Payload; expiresAt: number }>;

/** A storage factory for one provider instance (tests run several IdPs in one process). */
export function createMemoryAdapter() {
  const models = new Map<string, Items>();
  return (model: string) => {
    if (!models.has(model)) models.set(model, new Map());
    return new MemoryAdapter(models.get(model)!);
  };
}

class MemoryAdapter {
  constructor(private readonly items: Items) {}

  private live(id: string) {
    const item = this.items.get(id);
    if (!item) return undefined;
    if (item.expiresAt <= Date.now()) {
      this.items.delete(id);
      return undefined;
    }
    return item.payload;
  }

  async upsert(id: string, payload: Payload, expiresIn: number) {
    this.items.set(id, { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Number.MAX_SAFE_INTEGER });
  }

  async find(id: string) {
    return this.live(id);
  }

  async findByUserCode(userCode: string) {
    for (const [id, { payload }] of this.items) if (payload.userCode === userCode) return this.live(id);
    return undefined;
  }

  async findByUid(uid: string) {
    for (const [id, { payload }] of this.items) if (payload.uid === uid) return this.live(id);
    return undefined;
  }

  async consume(id: string) {
    const payload = this.live(id);
    if (payload) payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id: string) {
    this.items.delete(id);
  }

  async revokeByGrantId(grantId: string) {
    for (const [id, { payload }] of this.items) if (payload.grantId === grantId) this.items.delete(id);
  }
}
