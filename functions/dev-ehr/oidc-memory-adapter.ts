import type { Adapter, AdapterFactory, AdapterPayload } from 'oidc-provider';

interface Stored {
  payload: AdapterPayload;
  expires: number | undefined;
}

/**
 * oidc-provider's storage, in memory and private to one EHR instance (the library's own development adapter
 * is shared by every provider in the process and warns on the console). Expiry is checked on read; no timers.
 */
export function memoryAdapterFactory(now: () => number = Date.now): AdapterFactory {
  const store = new Map<string, Stored>();
  const byGrant = new Map<string, Set<string>>();
  const byUid = new Map<string, string>();
  const byUserCode = new Map<string, string>();
  const live = (key: string | undefined): AdapterPayload | undefined => {
    if (key === undefined) return undefined;
    const entry = store.get(key);
    if (!entry) return undefined;
    if (entry.expires !== undefined && entry.expires <= now()) {
      store.delete(key);
      return undefined;
    }
    return entry.payload;
  };
  let writes = 0;
  const prune = () => {
    for (const key of store.keys()) live(key);
    for (const [grantId, keys] of byGrant) {
      for (const key of keys) if (!store.has(key)) keys.delete(key);
      if (keys.size === 0) byGrant.delete(grantId);
    }
    for (const index of [byUid, byUserCode])
      for (const [ref, key] of index) if (!store.has(key)) index.delete(ref);
  };

  return (name: string): Adapter => {
    const key = (id: string) => `${name}:${id}`;
    return {
      async upsert(id, payload, expiresIn) {
        if (++writes % 200 === 0) prune();
        const k = key(id);
        store.set(k, {
          payload,
          expires: typeof expiresIn === 'number' ? now() + expiresIn * 1000 : undefined,
        });
        if (payload.grantId) {
          const members = byGrant.get(payload.grantId) ?? new Set<string>();
          members.add(k);
          byGrant.set(payload.grantId, members);
        }
        if (payload.uid) byUid.set(payload.uid, k);
        if (payload.userCode) byUserCode.set(payload.userCode, k);
      },
      async find(id) {
        return live(key(id));
      },
      async findByUid(uid) {
        return live(byUid.get(uid));
      },
      async findByUserCode(userCode) {
        return live(byUserCode.get(userCode));
      },
      async consume(id) {
        const payload = live(key(id));
        if (payload) payload.consumed = Math.floor(now() / 1000);
      },
      async destroy(id) {
        store.delete(key(id));
      },
      async revokeByGrantId(grantId) {
        for (const member of byGrant.get(grantId) ?? []) store.delete(member);
        byGrant.delete(grantId);
      },
    };
  };
}
