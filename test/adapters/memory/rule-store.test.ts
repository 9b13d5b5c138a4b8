import { MemoryRuleStore } from '../../../functions/adapters/memory/rule-store';
import { describeRuleStoreContract } from '../rule-store.contract';

describeRuleStoreContract('MemoryRuleStore', async () => {
  const store = new MemoryRuleStore();
  const version = (name: string) => {
    const entry = store.data.versions.get(name);
    if (!entry) throw new Error(`no version ${name}`);
    return entry;
  };
  return {
    store,
    other: new MemoryRuleStore(store.data),
    raw: {
      rewriteFile: async (name, path, text) => void version(name).files.set(path, text),
      addFile: async (name, path, text) => void version(name).files.set(path, text),
      deleteFile: async (name, path) => void version(name).files.delete(path),
      deleteManifest: async (name) => void delete version(name).manifest,
    },
  };
});
